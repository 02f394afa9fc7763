import t from 'tap'
import { androidToken, iosToken, startStack, type Stack } from './stack.js'

async function campaignWithUsers (stack: Stack, appId: number, users: string[]): Promise<bigint> {
  const application = await stack.db.application.findUniqueOrThrow({ where: { appId: String(appId) } })
  const campaign = await stack.db.campaign.create({ data: { applicationId: application.id, message: { title: 'Campaign', body: 'For everyone', badge: 1 } } })
  await stack.db.campaignUser.createMany({ data: users.map((userId) => ({ campaignId: campaign.id, userId })) })
  return campaign.id
}

const completed = (stack: Stack, id: bigint) => async () =>
  (await stack.db.campaign.findUniqueOrThrow({ where: { id } })).completedAt !== null

// guarantee: campaign-own-application, campaign-device-once
t.test('a live campaign through two dispatchers: each device once, only the campaign\'s application', async (t) => {
  const stack = await startStack(t, { dispatchers: 2, apiEnv: { CAMPAIGN_CHUNK_USERS: '20' }, dispatcherEnv: { LOG_LEVEL: 'debug', DISPATCHER_CONCURRENCY: '2' } })
  await stack.configureApplication(7)
  await stack.configureApplication(8)
  const users = Array.from({ length: 120 }, (_, i) => `user-${String(i).padStart(3, '0')}`)
  const tokens: string[] = []
  for (const [i, userId] of users.entries()) {
    const token = i % 2 === 0 ? iosToken() : androidToken()
    tokens.push(token)
    await stack.registerDevice(7, { token, platform: i % 2 === 0 ? 'ios' : 'android', userId, activationId: `a-${userId}` })
  }
  // Two users in different chunks sharing one device (two activations on one token).
  const shared = iosToken()
  await stack.call('POST', '/push/device/create/multi', { requestObject: { appId: 7, token: shared, platform: 'ios', activationIds: ['shared-1', 'shared-2'], userId: 'user-000' } })
  await stack.registerDevice(7, { token: shared, platform: 'ios', userId: 'user-119', activationId: 'shared-3' })
  await stack.db.deviceActivation.updateMany({ where: { activationId: 'shared-2' }, data: { userId: 'user-060' } })
  // The same user ids in another application must not get this campaign.
  const foreign = [iosToken(), androidToken()]
  await stack.registerDevice(8, { token: foreign[0]!, platform: 'ios', userId: 'user-001' })
  await stack.registerDevice(8, { token: foreign[1]!, platform: 'android', userId: 'user-002' })

  const id = await campaignWithUsers(stack, 7, users)
  const response = await stack.call('POST', `/push/campaign/send/live/${id}`)
  t.equal(response.status, 200, JSON.stringify(response.body))
  await stack.until(completed(stack, id), 'the campaign completed', 60_000)

  for (const token of [...tokens, shared]) {
    const count = stack.apns.received(token).length + stack.fcm.received(token).length
    if (count !== 1) t.fail(`device ${token.slice(0, 10)} reached ${count} times`)
  }
  t.equal(stack.apns.received(shared).length, 1, 'the device shared by three activations of three users got it once')
  t.same(foreign.map((token) => stack.apns.received(token).length + stack.fcm.received(token).length), [0, 0], 'nothing leaked to the other application')
  t.equal(stack.apns.log.length + stack.fcm.log.length, 121)
  t.match(stack.apns.received(tokens[0]!)[0]?.payload, { aps: { alert: { title: 'Campaign', body: 'For everyone' }, badge: 1 } })

  const detail = (await stack.call('GET', `/push/campaign/${id}/detail`)).body.responseObject
  t.match(detail, { id: String(id), appId: 7, sent: true, timestampSent: /^\d{4}-/, timestampCompleted: /^\d{4}-/ })
  t.same(detail.progress, { sent: 121, failed: 0, pending: 0, total: 121 }, 'every device counted once, as sent')
  t.equal(await stack.db.campaignChunk.count({ where: { campaignId: id, doneAt: { not: null } } }), 6, 'six chunks of 20 users, all done')
  const handled = stack.dispatchers.map((d) => (d.output().match(/"command":"campaign-/g) ?? []).length)
  t.ok(handled[0]! > 0 && handled[1]! > 0, `both dispatchers took chunks (${handled.join(' + ')})`)
})

// guarantee: redelivery-sends-unanswered, redelivery-duplicates-bounded
t.test('a dispatcher killed mid-campaign with devices claimed and not yet sent: every device still reached; only requests unanswered at the kill are sent again', async (t) => {
  // 16 request slots (claim windows of 2) for two chunks of 10 devices whose answers take a
  // second: the slots fill, and each chunk holds a window claimed and waiting for a slot.
  const stack = await startStack(t, { apiEnv: { CAMPAIGN_CHUNK_USERS: '10' }, dispatcherEnv: { DISPATCHER_CONCURRENCY: '2', COMMAND_ACK_WAIT_MS: '1500', APNS_MAX_STREAMS: '16' } })
  await stack.configureApplication(9)
  const users = Array.from({ length: 60 }, (_, i) => `c-${String(i).padStart(2, '0')}`)
  const tokens: string[] = []
  for (const userId of users) {
    const token = iosToken()
    tokens.push(token)
    stack.apns.script(token, { kind: 'slow', delayMs: 1000 })
    await stack.registerDevice(9, { token, platform: 'ios', userId })
  }
  const id = await campaignWithUsers(stack, 9, users)
  const claimedNotSent = async () => {
    const claims = await stack.db.campaignDelivery.findMany({ where: { campaignId: id, status: 'PENDING' }, select: { deviceId: true } })
    const devices = await stack.db.device.findMany({ where: { id: { in: claims.map((c) => c.deviceId) } }, select: { pushToken: true } })
    return devices.map((d) => d.pushToken).filter((token) => stack.apns.received(token).length === 0).sort()
  }
  t.equal((await stack.call('POST', `/push/campaign/send/live/${id}`)).status, 200)
  // A window waits for a slot until the first answers, a second after the slots filled.
  await stack.until(async () => stack.apns.log.length >= 16 && (await claimedNotSent()).length > 0, 'devices claimed and waiting for a slot')
  await stack.dispatchers[0]!.stop('SIGKILL')
  // The mock (in this process) may still be reading what the dispatcher wrote just before it died.
  await stack.apnsSettled()
  const atKill = stack.apns.log.length
  const waitingAtKill = await claimedNotSent()
  t.ok(waitingAtKill.length > 0, `killed with ${waitingAtKill.length} devices claimed and never sent, ${atKill} of 60 sent`)
  t.ok(atKill < 60, `killed with ${atKill} of 60 devices sent or in flight`)

  await stack.startDispatcher()
  // Waits for every device (the wait ends as soon as they are all reached); a device the next
  // holder never sends is then named below.
  await stack.until(() => tokens.every((token) => stack.apns.received(token).length > 0), 'every device reached', 60_000).catch(() => {})
  t.same(waitingAtKill.filter((token) => stack.apns.received(token).length === 0), [], 'the devices claimed and unsent at the kill were sent by the next holder')
  t.same(tokens.filter((token) => stack.apns.received(token).length === 0), [], 'every device reached')
  await stack.until(completed(stack, id), 'the campaign completed', 60_000)
  const counts = tokens.map((token) => stack.apns.received(token).length)
  // Answers take a second: every request the dead dispatcher made was unanswered when it died,
  // and whether it reached the provider is something a claim cannot tell. Those are sent again,
  // nothing else.
  const duplicates = counts.reduce((sum, count) => sum + count - 1, 0)
  t.ok(duplicates <= atKill, `${duplicates} sent twice, at most the ${atKill} unanswered at the kill`)
  t.ok(counts.every((count) => count <= 2), 'none more than twice')
  t.same(waitingAtKill.map((token) => stack.apns.received(token).length), waitingAtKill.map(() => 1), 'the devices unsent at the kill were sent once')
  t.equal(await stack.db.campaignDelivery.count({ where: { campaignId: id, status: 'SENT' } }), 60)
})
