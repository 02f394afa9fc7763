import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CallbackBody } from '@beacon/contracts'
import { startCallbackReceiver, type CallbackReceiver } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import t, { type Test } from 'tap'
import { buildApp, call, localCallbackEnv } from '../../../helper.js'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../../src/domain/developers/developers.js'
import { emitCallback } from './fixtures.js'

const secret = 'dev-secret-destinations-0123'

async function receiver (t: Test, keys: string[]): Promise<CallbackReceiver> {
  const started = await startCallbackReceiver({ developers: new Map(keys.map((key) => [key, secret])) })
  t.teardown(() => started.close())
  return started
}

/** A developer stored as it is (as one registered before the rules, or under other settings). */
async function storedDeveloper (app: FastifyInstance, key: string, callbackUrl: string): Promise<number> {
  const id = await allocateDeveloperId(app.db)
  await app.db.developer.create({ data: { id, key, name: key, secret: sealDeveloperSecret(app.secrets, id, secret), callbackUrl } })
  return id
}

function callbackBody (): CallbackBody {
  const requestId = randomUUID()
  return { eventId: `${requestId}:im.delivered`, event: 'im.delivered', requestId, to: 'alice@carrier.example', timestamp: new Date().toISOString() }
}

const logLines = (logs: string) => logs.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)

/** Waits for `count` log lines with message `msg`: each is the end of a callback's last attempt. */
async function linesOf (logs: () => string, msg: string, count: number): Promise<Array<Record<string, unknown>>> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const lines = logLines(logs()).filter((line) => line.msg === msg)
    if (lines.length >= count) return lines
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} "${msg}" lines; got ${lines.length}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// guarantee: callback-destination-guard
t.test('callbacks to loopback, private and metadata addresses fail at connect time; the receiver on 127.0.0.1 gets nothing', async (t) => {
  const keys = ['named', 'v4', 'v6', 'mapped', 'metadata', 'ten', 'one-seven-two', 'one-nine-two', 'unique-local', 'control']
  const hooks = await receiver(t, keys)
  const { app, logs } = await buildApp(t, { CALLBACK_ALLOW_HTTP: 'true', CALLBACK_MAX_ATTEMPTS: '1' }, { captureLogs: true })

  // Through the admin API: a host name passes registration; it resolves to loopback when it connects.
  const registered = await call(app, 'POST', '/admin/developer/create', {
    requestObject: { name: 'Named', callbackUrl: `http://localhost:${hooks.port}/hooks?token=query-secret-1` }
  })
  t.equal(registered.statusCode, 200, registered.body)
  const named = registered.json().responseObject as { id: number, key: string }
  await app.db.developer.update({ where: { id: named.id }, data: { key: 'named', secret: sealDeveloperSecret(app.secrets, named.id, secret) } })
  const literals: Record<string, string> = {
    v4: hooks.url('/cb'),
    v6: `http://[::1]:${hooks.port}/cb`,
    mapped: `http://[::ffff:127.0.0.1]:${hooks.port}/cb`,
    metadata: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    ten: 'http://10.0.0.1/cb',
    'one-seven-two': 'http://172.16.0.1/cb',
    'one-nine-two': 'http://192.168.1.1/cb',
    'unique-local': 'http://[fc00::1]/cb'
  }
  const ids = [named.id]
  for (const [key, url] of Object.entries(literals)) ids.push(await storedDeveloper(app, key, url))
  for (const id of ids) await emitCallback(app, id, callbackBody())

  const givenUp = await linesOf(logs, 'callback given up after the last attempt', ids.length)
  t.same(givenUp.map((line) => line.lastError), ids.map(() => 'DestinationForbidden'), 'each attempt failed with the stable reason')
  const refused = logLines(logs()).filter((line) => line.msg === 'callback destination refused: not a public address')
  t.equal(refused.length, ids.length, 'each refusal is logged')
  t.match(refused.find((line) => line.developerId === named.id), { level: 40, host: 'localhost', address: /^(127\.0\.0\.1|::1)$/, range: 'loopback' })
  t.match(refused.find((line) => line.host === '169.254.169.254'), { range: 'instanceMetadata' })
  t.match(refused.find((line) => line.host === '::ffff:7f00:1'), { range: 'loopback' }, 'an IPv4-mapped literal is judged as the IPv4 address')
  t.notOk(logs().includes('query-secret-1'), 'the host is logged, never the path or query')
  t.equal(hooks.received().length, 0, 'no request reached the receiver')
  t.equal(hooks.connections(), 0, 'no connection even reached it')

  // Control: the same receiver, reached by an api that allows private networks, counts what arrives.
  const control = await buildApp(t, localCallbackEnv)
  await emitCallback(control.app, await storedDeveloper(control.app, 'control', hooks.url('/cb')), callbackBody())
  const [request] = await hooks.until((received) => received.length >= 1)
  t.ok(request?.verified, 'the receiver works and counts')
  t.ok(hooks.connections() >= 1)
})

// guarantee: callback-insecure-url
t.test('a stored http callback URL fails at send time unless CALLBACK_ALLOW_HTTP', async (t) => {
  const hooks = await receiver(t, ['plain'])
  const { app, logs } = await buildApp(t, { CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true', CALLBACK_MAX_ATTEMPTS: '1' }, { captureLogs: true })
  await emitCallback(app, await storedDeveloper(app, 'plain', hooks.url('/cb')), callbackBody())
  const [line] = await linesOf(logs, 'callback given up after the last attempt', 1)
  t.equal(line?.lastError, 'InsecureCallbackUrl')
  t.equal(hooks.connections(), 0)
})

t.test('redirects are not followed: a 307 to another address is a failed attempt', async (t) => {
  const hooks = await receiver(t, ['redirected'])
  const redirector = createServer((_req, res) => res.writeHead(307, { location: hooks.url('/elsewhere') }).end())
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { redirector.closeAllConnections(); redirector.close(() => resolve()) }))
  const { app, logs } = await buildApp(t, { ...localCallbackEnv, CALLBACK_MAX_ATTEMPTS: '1' }, { captureLogs: true })
  const port = (redirector.address() as AddressInfo).port
  await emitCallback(app, await storedDeveloper(app, 'redirected', `http://127.0.0.1:${port}/cb`), callbackBody())
  const [line] = await linesOf(logs, 'callback given up after the last attempt', 1)
  t.equal(line?.lastStatus, 307)
  t.equal(hooks.connections(), 0, 'the redirect target was never contacted')
})
