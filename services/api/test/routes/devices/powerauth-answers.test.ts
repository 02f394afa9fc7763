import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startPowerAuthMock } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { buildApp, call } from '../../helper.js'
import { createApplication, OK, storedDevices } from './fixtures.js'

// What the api makes of PowerAuth answers that are not the usual ones: each is the caller's 400
// ERROR_PA_SERVER_COMM (never a 500), or, for an empty user id, no user.

async function appWith (t: Test, url: string) {
  const { app } = await buildApp(t, { POWERAUTH_SERVICE_URL: url, POWERAUTH_USERNAME: 'push-server', POWERAUTH_PASSWORD: 'pa-secret-5678', POWERAUTH_TIMEOUT_MS: '1000' })
  await createApplication(app, 2)
  return app
}

/** An HTTP server answering every request with `answer`; the paths it was asked for. */
async function startServer (t: Test, answer: (res: ServerResponse) => void) {
  const requests: string[] = []
  const server = createServer((req, res) => {
    requests.push(req.url ?? '')
    req.resume()
    req.on('end', () => answer(res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

const create = (activationId: string) => ({ requestObject: { appId: 2, token: 'token', platform: 'ios', activationId } })

t.test('an activation status outside PowerAuth\'s five is 400 ERROR_PA_SERVER_COMM naming the activation; nothing stored', async (t) => {
  const mock = await startPowerAuthMock()
  t.teardown(() => mock.close())
  const app = await appWith(t, mock.url)
  mock.activations.set('act-1', { activationStatus: 'ACTIVE', userId: 'alice' })
  t.equal((await call(app, 'POST', '/push/device/create', create('act-1'))).statusCode, 200, 'the control: a known status registers')
  const before = await storedDevices(app)
  mock.activations.set('act-1', { activationStatus: 'DELETED', userId: 'alice' })
  mock.activations.set('act-2', { activationStatus: 'active', userId: 'bob' })
  const expected = (id: string) => ({ status: 'ERROR', responseObject: { code: 'ERROR_PA_SERVER_COMM', message: `PowerAuth server returned no usable status for activation ${id}` } })
  const responses = [
    [await call(app, 'POST', '/push/device/create', create('act-2')), 'act-2'],
    [await call(app, 'POST', '/push/device/create/multi', { requestObject: { appId: 2, token: 'other', platform: 'fcm', activationIds: ['act-2'] } }), 'act-2'],
    [await call(app, 'POST', '/push/device/status/update', { activationId: 'act-1' }), 'act-1']
  ] as const
  for (const [response, id] of responses) {
    t.equal(response.statusCode, 400, response.body)
    t.same(response.json(), expected(id))
  }
  t.strictSame(await storedDevices(app), before, 'nothing changed')
})

t.test('an empty user id from PowerAuth is stored as no user', async (t) => {
  const mock = await startPowerAuthMock()
  t.teardown(() => mock.close())
  const app = await appWith(t, mock.url)
  mock.activations.set('act-1', { activationStatus: 'ACTIVE', userId: '' })
  mock.activations.set('act-2', { activationStatus: 'BLOCKED', userId: 'carol' })
  const response = await call(app, 'POST', '/push/device/create/multi', { requestObject: { appId: 2, token: 'token', platform: 'ios', activationIds: ['act-1', 'act-2'] } })
  t.equal(response.statusCode, 200)
  t.same(response.json(), OK)
  t.same((await storedDevices(app))[0]?.activations, [
    { activationId: 'act-1', userId: null, activationStatus: 'ACTIVE' },
    { activationId: 'act-2', userId: 'carol', activationStatus: 'BLOCKED' }
  ])
})

t.test('a redirect from the PowerAuth URL is not followed: 400 ERROR_PA_SERVER_COMM, the credentials go nowhere else', async (t) => {
  const mock = await startPowerAuthMock()
  t.teardown(() => mock.close())
  mock.activations.set('act-1', { activationStatus: 'ACTIVE', userId: 'dave' })
  const redirector = await startServer(t, (res) => res.writeHead(307, { location: `${mock.url}/rest/v3/activation/status` }).end())
  const app = await appWith(t, redirector.url)
  const response = await call(app, 'POST', '/push/device/create', create('act-1'))
  t.equal(response.statusCode, 400)
  t.same(response.json().responseObject, { code: 'ERROR_PA_SERVER_COMM', message: 'PowerAuth server unreachable (/rest/v3/activation/status): connection failed' })
  t.same(redirector.requests, ['/rest/v3/activation/status'], 'the configured server was asked')
  t.same(mock.requests, [], 'the address it pointed to was not')
  t.equal(await app.db.device.count(), 0)
})

t.test('an HTTP error status is a refusal whatever its body says; so is an OK without a responseObject', async (t) => {
  const activeBody = JSON.stringify({ status: 'OK', responseObject: { activationId: 'act-1', activationStatus: 'ACTIVE', userId: 'erin' } })
  const cases: Array<[number, string]> = [
    [503, activeBody],
    [200, JSON.stringify({ status: 'OK', responseObject: null })],
    [200, JSON.stringify({ status: 'OK' })]
  ]
  for (const [status, body] of cases) {
    const server = await startServer(t, (res) => res.writeHead(status, { 'content-type': 'application/json' }).end(body))
    const app = await appWith(t, server.url)
    const response = await call(app, 'POST', '/push/device/create', create('act-1'))
    t.equal(response.statusCode, 400, `HTTP ${status} ${body}`)
    t.same(response.json().responseObject, { code: 'ERROR_PA_SERVER_COMM', message: `PowerAuth server refused /rest/v3/activation/status (HTTP ${status})` })
    t.equal(await app.db.device.count(), 0)
  }
  // The control: the same server answering 200 with that body registers.
  const good = await startServer(t, (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(activeBody))
  const app = await appWith(t, good.url)
  t.equal((await call(app, 'POST', '/push/device/create', create('act-1'))).statusCode, 200)
  t.same((await storedDevices(app))[0]?.activations, [{ activationId: 'act-1', userId: 'erin', activationStatus: 'ACTIVE' }])
})
