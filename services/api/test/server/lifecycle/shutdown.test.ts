import { randomBytes, randomUUID } from 'node:crypto'
import { connect } from 'node:net'
import type { Command, SendCommand } from '@beacon/contracts'
import { createDb } from '@beacon/db'
import { createTestDatabase, freePort, natsTestPrefix, spawnService, testNatsUrl } from '@beacon/testkit'
import { createNatsTransport } from '@beacon/transport'
import t from 'tap'

const until = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const password = 'long-enough-password'
const authorization = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`

/** The api from its sources on a free port, at info level, with `env` added. */
async function spawnApi (databaseUrl: string, prefix: string, env: Record<string, string>) {
  const port = await freePort()
  const api = spawnService('services/api/src/server.ts', {
    DATABASE_URL: databaseUrl,
    MASTER_KEY: randomBytes(32).toString('base64'),
    AUTH_USERNAME: 'admin',
    AUTH_PASSWORD: password,
    PORT: String(port),
    NATS_URL: testNatsUrl,
    NATS_PREFIX: prefix,
    LOG_LEVEL: 'info',
    ...env
  })
  return { port, api }
}

// guarantee: api-graceful-shutdown
t.test('SIGTERM with a SYNCHRONOUS send in flight: it is answered with its device pending, new requests are refused, its command is in the stream once, exit 0', async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const db = createDb({ url: database.url, poolSize: 2 })
  t.teardown(() => db.$disconnect())
  const application = await db.application.create({ data: { appId: '2', name: 'app2' } })
  const device = await db.device.create({ data: { applicationId: application.id, pushToken: 'alice-token', platform: 'APNS' } })
  await db.deviceActivation.create({ data: { applicationId: application.id, deviceId: device.id, activationId: 'alice-activation', userId: 'alice', activationStatus: 'ACTIVE' } })

  // A stand-in dispatcher: claims alice's device and never answers, as one waiting on a slow provider.
  const prefix = natsTestPrefix()
  const dispatcher = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'test-dispatcher' })
  t.teardown(() => dispatcher.close())
  const commands: Command[] = []
  dispatcher.consumeCommands(async (delivery) => {
    const command = delivery.command
    commands.push(command)
    if (command.kind === 'message' && command.userId === 'alice') {
      await db.messageDelivery.create({ data: { messageId: command.messageId, deviceId: device.id, platform: 'APNS' } })
    }
    await delivery.ack()
  }, { concurrency: 1 })

  // The most a SYNCHRONOUS send may wait: the stop must not wait for it.
  const { port, api } = await spawnApi(database.url, prefix, { SYNC_TIMEOUT_MS: '300000' })
  t.teardown(() => { if (api.child.exitCode === null) api.child.kill('SIGKILL') })
  await api.waitForOutput(/Server listening/)
  const url = (path: string) => `http://127.0.0.1:${port}${path}`

  const inFlight = fetch(url('/push/message/send'), {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify({ requestObject: { appId: 2, message: { userId: 'alice', body: { title: 'Hi' } } } })
  })
  await until(async () => await db.messageDelivery.count() === 1, 'the device claimed')
  api.child.kill('SIGTERM')

  const answer = await inFlight
  t.equal(answer.status, 200, 'answered, not reset')
  t.equal(answer.headers.get('connection'), 'close', 'the connection ends with the answer (kept alive, it would hold the exit for 72 s)')
  const { responseObject } = await answer.json() as { responseObject: { messageIds: string[], result: unknown } }
  t.same(responseObject.result, { ios: { sent: 0, pending: 1, failed: 0, total: 1 }, android: { sent: 0, pending: 0, failed: 0, total: 0 } })
  const refused = await fetch(url('/push/service/status'), { headers: { authorization } }).then((r) => String(r.status), () => 'connection refused')
  t.match(refused, /^(connection refused|503)$/, 'no new request is served')
  t.equal(await api.exited, 0, 'exited by itself, cleanly, long before SYNC_TIMEOUT_MS')
  t.match(api.output(), /"msg":"shutting down"/)

  // The message's command went out once: a control command published last marks the end of the stream.
  t.equal(await db.outbox.count(), 0, 'no outbox row left behind')
  const control: SendCommand = { kind: 'message', messageId: randomUUID(), applicationId: application.id, userId: 'control', personal: false, silent: false, priority: 'HIGH', body: {} }
  await dispatcher.publishCommand(control)
  await until(() => commands.some((c) => c.kind === 'message' && c.messageId === control.messageId), 'the control command')
  t.same(commands.map((c) => (c as SendCommand).messageId), [...responseObject.messageIds, control.messageId])
})

// guarantee: api-shutdown-connection-grace
// A connection whose request never came (a client that connected and sent nothing, or half its
// headers) held Fastify's server close until SHUTDOWN_TIMEOUT_MS: exit 1, every hook after it skipped.
t.test('SIGTERM with a connection that never sent a whole request: it is cut at the grace, the api closes the rest and exits 0', async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const { port, api } = await spawnApi(database.url, natsTestPrefix(), { SHUTDOWN_TIMEOUT_MS: '6000' })
  t.teardown(() => { if (api.child.exitCode === null) api.child.kill('SIGKILL') })
  await api.waitForOutput(/Server listening/)
  const silent = connect(port, '127.0.0.1')
  const partial = connect(port, '127.0.0.1')
  for (const socket of [silent, partial]) socket.on('error', () => {})
  t.teardown(() => { silent.destroy(); partial.destroy() })
  await Promise.all([silent, partial].map((socket) => new Promise((resolve) => socket.once('connect', resolve))))
  partial.write('GET /push/service/status HTTP/1.1\r\nhost: 127.0.0.1\r\n')
  const closed = [silent, partial].map((socket) => new Promise((resolve) => socket.once('close', resolve)))
  api.child.kill('SIGTERM')
  t.equal(await api.exited, 0, 'exited by itself before its deadline (it was reached: exit 1)')
  await Promise.all(closed)
  t.match(api.output(), /connections still open at the close's grace: cut/)
  t.match(api.output(), /"msg":"closed"/, 'every close hook ran')
})
