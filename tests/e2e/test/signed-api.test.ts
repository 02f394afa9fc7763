import { natsNames } from '@beacon/contracts'
import { developerClient, startCallbackReceiver, untilWorkQueueSettled, type DeveloperClient, type ReceivedCallback } from '@beacon/testkit'
import t from 'tap'
import WebSocket from 'ws'
import { iosToken, startStack, type Stack } from './stack.js'

const CARRIER = 'carrier.example'
const events = (received: ReceivedCallback[], requestId: string) =>
  received.filter((callback) => callback.verified && JSON.parse(callback.body).requestId === requestId).map((callback) => JSON.parse(callback.body))

/**
 * Every callback queued so far was published and finished (accepted or given up): none can follow.
 * The outbox is read again once the stream has settled: a failed attempt queues its retry there
 * before its copy in the stream is acknowledged.
 */
async function callbacksSettled (stack: Stack) {
  const names = natsNames(stack.natsStreams.prefix)
  const outboxEmpty = async () => await stack.db.outbox.count({ where: { kind: 'callback' } }) === 0
  do {
    await stack.until(outboxEmpty, 'the outbox to publish the callbacks')
    await untilWorkQueueSettled({ stream: names.callbackStream, consumer: names.callbackConsumer, servers: stack.natsStreams.url })
  } while (!await outboxEmpty())
}

/**
 * The signed developer API across the real processes: api and dispatcher over NATS, the APNs mock,
 * and the developer's callback server verifying every signature.
 */
t.test('a developer reaches a user in-app in real time, and by push when no device acknowledges', async (t) => {
  const stack = await startStack(t, { apiEnv: { INAPP_ACK_TIMEOUT_MS: '2000', CALLBACK_BASE_DELAY_MS: '50' } })
  await stack.configureApplication(7)
  const carrier = await stack.call('PUT', '/admin/app/carrier', { requestObject: { appId: 7, carrierDomain: CARRIER } })
  t.equal(carrier.status, 200)

  const secrets = new Map<string, string>()
  const receiver = await startCallbackReceiver({ developers: (key) => secrets.get(key) })
  t.teardown(() => receiver.close())
  const created = await stack.call('POST', '/admin/developer/create', {
    requestObject: { name: 'Acme', callbackUrl: receiver.url('/hooks/beacon?tenant=acme'), carriers: [CARRIER] }
  })
  t.equal(created.status, 200)
  const { key, secret } = created.body.responseObject as { key: string, secret: string }
  secrets.set(key, secret)
  const developer: DeveloperClient = developerClient({ baseUrl: stack.url, key, secret })
  const post = async (path: string, body: unknown) => {
    const response = await developer.request('POST', path, body)
    t.equal(response.status, 200, `${path} answered`)
    return await response.json() as Record<string, string>
  }

  await t.test('connected: delivered over the WebSocket, acknowledged, reported, never pushed', async (t) => {
    const device = iosToken()
    await stack.registerDevice(7, { token: device, platform: 'ios', userId: 'alice' })
    const { token } = await post('/api/1.0/im/token', { user: `alice@${CARRIER}` })
    const socket = new WebSocket(`${stack.url.replace('http', 'ws')}/api/1.0/im/connect?token=${encodeURIComponent(token!)}`)
    t.teardown(() => socket.close())
    const frames: any[] = []
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data))
      frames.push(frame)
      if (frame.type === 'message') socket.send(JSON.stringify({ type: 'ack', id: frame.id }))
    })
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })

    const { requestId } = await post(`/api/1.0/push/alice@${CARRIER}`, { content: 'hello alice', push: { content: 'hello by push' } })
    await stack.until(() => frames.length > 0, 'the in-app frame')
    t.match(frames[0], { type: 'message', id: requestId, content: 'hello alice' })
    await receiver.until((all) => events(all, requestId!).length > 0)

    // Control: a message to a user without a socket, posted after the ack, falls due after this
    // one. The api claims due pushes in order of their due time: once the control is claimed, this
    // message has been passed over. The control's push.failed (no device) is its last callback.
    const { requestId: control } = await post(`/api/1.0/push/dave@${CARRIER}`, { content: 'control', push: { content: 'control push' } })
    await receiver.until((all) => events(all, control!).length > 0)
    t.not((await stack.db.inboxMessage.findUniqueOrThrow({ where: { id: control! } })).pushMessageId, null, 'the control was pushed')
    t.equal((await stack.db.inboxMessage.findUniqueOrThrow({ where: { id: requestId! } })).pushMessageId, null, 'acknowledged in time: no push')
    t.same(stack.apns.received(device), [], 'nothing at APNs')
    await callbacksSettled(stack)
    const received = receiver.received()
    t.same(events(received, requestId!).map(({ event, requestId, to }) => ({ event, requestId, to })),
      [{ event: 'im.delivered', requestId, to: `alice@${CARRIER}` }], 'one callback: im.delivered')
    t.equal(received.find((callback) => callback.verified)?.url, '/hooks/beacon?tenant=acme', 'signed over the callback URL path and query')
    t.same(received.filter((callback) => !callback.verified), [], 'every callback verified')
  })

  await t.test('offline: pushed through the dispatcher to APNs, reported push.sent; replayed when the app connects', async (t) => {
    const device = iosToken()
    await stack.registerDevice(7, { token: device, platform: 'ios', userId: 'bob' })
    const { requestId } = await post(`/api/1.0/push/bob@${CARRIER}`, { appMessage: { content: 'hello bob' }, push: { content: 'bob, by push' }, sender: `alice@${CARRIER}` })
    await stack.until(() => stack.apns.received(device).length === 1, 'the push at APNs')
    t.match(stack.apns.received(device)[0]?.payload, { aps: { alert: { body: 'bob, by push' } } })
    await receiver.until((all) => events(all, requestId!).length > 0)
    await callbacksSettled(stack)
    t.same(events(receiver.received(), requestId!).map(({ event, requestId, to }) => ({ event, requestId, to })), [{ event: 'push.sent', requestId, to: `bob@${CARRIER}` }])

    const { token } = await post('/api/1.0/im/token', { user: `bob@${CARRIER}` })
    const socket = new WebSocket(`${stack.url.replace('http', 'ws')}/api/1.0/im/connect`, { headers: { authorization: `Bearer ${token!}` } })
    t.teardown(() => socket.close())
    const frame = await new Promise<any>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse(String(data))))
      socket.once('error', reject)
    })
    t.match(frame, { type: 'message', id: requestId, content: 'hello bob', sender: `alice@${CARRIER}` })
  })

  await t.test('no device: push.failed names the reason', async (t) => {
    const { requestId } = await post(`/api/1.0/push/carol@${CARRIER}`, { content: 'hello carol', push: { content: 'carol, by push' } })
    await receiver.until((all) => events(all, requestId!).length > 0)
    await callbacksSettled(stack)
    const [only, ...more] = events(receiver.received(), requestId!)
    t.match(only, { event: 'push.failed', requestId, reason: /NoDevices/ })
    t.same(more, [], 'one callback')
  })

  await t.test('a request signed with the wrong secret is refused with the SDK error body', async (t) => {
    const forger = developerClient({ baseUrl: stack.url, key, secret: 'not-the-secret' })
    const response = await forger.request('POST', `/api/1.0/push/alice@${CARRIER}`, { content: 'forged' })
    t.equal(response.status, 401)
    t.equal(response.headers.get('www-authenticate'), 'MAAIISDK10')
    t.match(await response.json(), { error: { status: 401, code: Number, message: String } })
  })
})
