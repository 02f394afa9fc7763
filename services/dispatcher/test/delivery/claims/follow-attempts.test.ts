import t from 'tap'
import { resultsOf, startHarness } from '../../harness.js'

// guarantee: claims-follow-attempts
t.test('devices are claimed as their requests are made: claims unanswered never exceed the requests a sender may have in flight plus one window', async (t) => {
  const h = await startHarness(t)
  const ios = await h.addDevices('many', 20, 'APNS')
  const android = await h.addDevices('many', 12, 'FCM')
  for (const token of ios) h.apns.script(token, { kind: 'slow', delayMs: 250 })
  for (const token of android) h.fcm.script(token, { kind: 'slow', delayMs: 250 })
  await h.startDispatcher({ APNS_MAX_STREAMS: '4', FCM_CONCURRENCY: '4' })
  const command = await h.storeMessage('many')

  const most = { APNS: 0, FCM: 0 }
  const sampling = { on: true }
  const sampler = (async () => {
    while (sampling.on) {
      const claims = await h.db.messageDelivery.groupBy({ by: ['platform'], where: { messageId: command.messageId }, _count: true })
      // Answers counted after the claims were read: never more than had been claimed then.
      const answered = { APNS: h.apns.counters.requests, FCM: h.fcm.counters.requests }
      for (const row of claims) most[row.platform] = Math.max(most[row.platform], row._count - answered[row.platform])
      await new Promise((resolve) => setTimeout(resolve, 15))
    }
  })()
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')
  sampling.on = false
  await sampler

  const { summary, devices } = resultsOf(h.events, command.messageId)
  t.match(summary, { ios: { sent: 20, total: 20 }, android: { sent: 12, total: 12 } })
  t.equal(devices.length, 32)
  t.equal(h.apns.log.length + h.fcm.log.length, 32, 'one request per device')
  // Four slots each: windows of one device claimed ahead.
  t.ok(most.APNS >= 1 && most.APNS <= 5, `APNs: at most 4 + 1 claimed and unanswered at once (most seen ${most.APNS})`)
  t.ok(most.FCM >= 1 && most.FCM <= 5, `FCM: at most 4 + 1 claimed and unanswered at once (most seen ${most.FCM})`)
})

// guarantee: redelivery-sends-unanswered
t.test('a redelivered message sends every device without a recorded answer, the earlier holder\'s unanswered claims included', async (t) => {
  const h = await startHarness(t)
  const tokens = await h.addDevices('again', 6, 'APNS')
  const command = await h.storeMessage('again')
  const ids = (await h.db.device.findMany({ orderBy: { id: 'asc' } })).map((d) => d.id)
  // The dead holder: device 0 claimed and unanswered (its request may never have left: it is sent
  // again), device 1 answered and recorded.
  await h.db.messageDelivery.create({ data: { messageId: command.messageId, deviceId: ids[0]!, platform: 'APNS', claimedAt: new Date(Date.now() - 60_000) } })
  await h.db.messageDelivery.create({ data: { messageId: command.messageId, deviceId: ids[1]!, platform: 'APNS', status: 'SENT', attempts: 1, completedAt: new Date() } })
  await h.startDispatcher()
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')

  t.same(tokens.map((token) => h.apns.received(token).length), [1, 0, 1, 1, 1, 1], 'the unanswered claim and the four devices never claimed were sent, once each')
  const { summary, devices } = resultsOf(h.events, command.messageId)
  t.notOk(devices.some((d) => d.unconfirmed === true), 'nothing reported that no provider answered')
  t.match(devices.find((d) => d.deviceId === String(ids[0])), { status: 'SENT', attempts: 1 })
  t.notOk(devices.some((d) => d.deviceId === String(ids[1])), 'the recorded device is not reported again')
  t.match(summary, { ios: { sent: 6, total: 6, pending: 0 } })
})

// guarantee: redelivery-sends-unanswered
t.test('a campaign chunk: devices claimed by another chunk are theirs; this chunk\'s unanswered claims and the rest are sent', async (t) => {
  const h = await startHarness(t)
  const a = await h.addDevices('user-a', 2, 'APNS')
  const b = await h.addDevices('user-b', 2, 'FCM')
  const ids = (await h.db.device.findMany({ orderBy: { id: 'asc' } })).map((d) => d.id)
  const campaign = await h.db.campaign.create({ data: { applicationId: h.applicationId, message: { title: 'campaign' } } })
  await h.db.campaignUser.createMany({ data: [{ campaignId: campaign.id, userId: 'user-a' }, { campaignId: campaign.id, userId: 'user-b' }] })
  await h.db.campaignChunk.create({ data: { campaignId: campaign.id, chunk: 1, afterUserId: null, lastUserId: 'user-b' } })
  // ids[0]: another chunk's claim (a shared device); ids[2]: this chunk's earlier holder, unanswered.
  await h.db.campaignDelivery.create({ data: { campaignId: campaign.id, deviceId: ids[0]!, platform: 'APNS', chunk: 0 } })
  await h.db.campaignDelivery.create({ data: { campaignId: campaign.id, deviceId: ids[2]!, platform: 'FCM', chunk: 1, claimedAt: new Date(Date.now() - 60_000) } })
  await h.startDispatcher()
  await h.transport.publishCommand({ kind: 'campaign-chunk', campaignId: String(campaign.id), chunk: 1, applicationId: h.applicationId, afterUserId: null, lastUserId: 'user-b', body: { title: 'campaign' } })
  await h.until(() => h.events.some((e) => e.kind === 'chunk'), 'the chunk summary')

  t.same([...a, ...b].map((token) => h.apns.received(token).length + h.fcm.received(token).length), [0, 1, 1, 1])
  const results = h.events.flatMap((e) => (e.kind === 'device' ? [e.result] : []))
  t.same(results.map((r) => [r.deviceId, r.status, r.unconfirmed === true]).sort(), [[String(ids[1]), 'SENT', false], [String(ids[2]), 'SENT', false], [String(ids[3]), 'SENT', false]].sort())
  const chunk = h.events.find((e) => e.kind === 'chunk')
  t.match(chunk, { summary: { ios: { sent: 1, total: 1 }, android: { sent: 2, total: 2 } } }, 'the other chunk\'s device is not counted here')
  t.notOk(chunk?.kind === 'chunk' && chunk.summary.reason !== undefined, 'no failure reason')
})

t.test('an earlier holder\'s unanswered claim decided without a request (validUntil passed meanwhile) gets that outcome: nothing is left PENDING', async (t) => {
  const h = await startHarness(t)
  const tokens = await h.addDevices('late', 2, 'APNS')
  const stored = await h.storeMessage('late')
  const command = { ...stored, body: { ...stored.body, validUntil: new Date(Date.now() - 1000).toISOString() } }
  const ids = (await h.db.device.findMany({ orderBy: { id: 'asc' } })).map((d) => d.id)
  await h.db.messageDelivery.create({ data: { messageId: command.messageId, deviceId: ids[0]!, platform: 'APNS', claimedAt: new Date(Date.now() - 60_000) } })
  await h.startDispatcher()
  await h.transport.publishCommand(command)
  await h.until(() => resultsOf(h.events, command.messageId).summary !== undefined, 'the summary')

  t.same(tokens.map((token) => h.apns.received(token).length), [0, 0], 'nothing sent past validUntil')
  const claims = await h.db.messageDelivery.findMany({ where: { messageId: command.messageId }, orderBy: { deviceId: 'asc' } })
  t.same(claims.map((c) => c.status), ['EXPIRED', 'EXPIRED'], 'the taken-over claim has its outcome too')
  t.match(resultsOf(h.events, command.messageId).summary, { ios: { failed: 2, total: 2, pending: 0 } })
})
