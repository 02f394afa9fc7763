import t from 'tap'
import { authorization, buildApp, call } from '../../helper.js'

t.test('GET /push/service/status answers in the PowerAuth envelope', async (t) => {
  const { app } = await buildApp(t)
  const response = await call(app, 'GET', '/push/service/status')
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.equal(body.status, 'OK')
  t.equal(body.responseObject.applicationName, 'beacon-push')
  t.match(body.responseObject.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/)
  t.match(body.responseObject.buildTime, /^\d{4}-\d\d-\d\dT/)
  t.match(body.responseObject.version, /^\d+\.\d+\.\d+/)
})

// guarantee: app-environment-reported
t.test('APP_ENVIRONMENT is answered as applicationEnvironment; empty when unset', async (t) => {
  const unset = await buildApp(t)
  t.equal((await call(unset.app, 'GET', '/push/service/status')).json().responseObject.applicationEnvironment, '')
  const staging = await buildApp(t, { APP_ENVIRONMENT: 'staging-eu' })
  t.equal((await call(staging.app, 'GET', '/push/service/status')).json().responseObject.applicationEnvironment, 'staging-eu')
})

t.test('credentials are required on /push and /admin', async (t) => {
  const { app } = await buildApp(t)
  for (const url of ['/push/service/status', '/admin/app/list']) {
    const missing = await app.inject({ method: 'GET', url })
    t.equal(missing.statusCode, 401, `${url} without credentials`)
    t.same(missing.json(), { status: 'ERROR', responseObject: { code: 'ERROR_UNAUTHORIZED', message: 'authentication required: wrong or missing credentials' } })
    t.match(missing.headers['www-authenticate'], /^Basic realm="beacon"/)
    const wrong = await app.inject({ method: 'GET', url, headers: { authorization: `Basic ${Buffer.from('admin:nope').toString('base64')}` } })
    t.equal(wrong.statusCode, 401, `${url} with a wrong password`)
    t.equal(wrong.json().responseObject.code, 'ERROR_UNAUTHORIZED')
  }
  const ok = await app.inject({ method: 'GET', url: '/push/service/status', headers: { authorization } })
  t.equal(ok.statusCode, 200)
})

// guarantee: auth-disabled-loopback-host
t.test('AUTH_DISABLED=true: requests addressed by another name than a loopback one are refused (DNS rebinding)', async (t) => {
  const { app } = await buildApp(t, { AUTH_DISABLED: 'true', AUTH_USERNAME: '', AUTH_PASSWORD: '' })
  const create = (host: string) => app.inject({
    method: 'POST',
    url: '/admin/developer/create',
    headers: { host, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', origin: `http://${host}` },
    payload: JSON.stringify({ requestObject: { name: 'rebound' } })
  })
  for (const host of ['evil.example:8080', 'evil.example', 'localhost.evil.example', 'x.localhost:8080', '127.0.0.1.nip.io:8080', '[::2]:8080', '10.0.0.1']) {
    const refused = await create(host)
    t.equal(refused.statusCode, 403, host)
    t.same(refused.json(), { status: 'ERROR', responseObject: { code: 'ERROR_FORBIDDEN', message: 'with AUTH_DISABLED=true only requests addressed to this machine by a loopback name (localhost, 127.0.0.1, [::1]) are served' } })
  }
  const consoleRead = await app.inject({ method: 'GET', url: '/admin/console/system/status', headers: { host: 'evil.example:8080' } })
  t.equal(consoleRead.statusCode, 403, 'the console\'s API too')
  t.equal(await app.db.developer.count(), 0, 'nothing created')
  for (const host of ['localhost:8080', 'LOCALHOST', 'localhost.', '127.0.0.1:8080', '127.1.2.3', '[::1]:8080', '[::ffff:127.0.0.1]']) {
    const served = await app.inject({ method: 'GET', url: '/push/service/status', headers: { host } })
    t.equal(served.statusCode, 200, host)
  }
})

t.test('AUTH_DISABLED=true runs open', async (t) => {
  const { app, logs } = await buildApp(t, { AUTH_DISABLED: 'true', AUTH_USERNAME: '', AUTH_PASSWORD: '' }, { captureLogs: true })
  const response = await app.inject({ method: 'GET', url: '/push/service/status' })
  t.equal(response.statusCode, 200)
  t.match(logs(), /"level":40[^\n]*authentication is disabled \(AUTH_DISABLED=true\)/, 'a warning says so')
})

t.test('unknown endpoints and unreadable bodies get the error envelope', async (t) => {
  const { app } = await buildApp(t)
  const missing = await call(app, 'GET', '/push/nothing-here')
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().responseObject.code, 'ERROR_NOT_FOUND')
  const malformed = await app.inject({ method: 'POST', url: '/push/device/create', headers: { authorization, 'content-type': 'application/json' }, payload: '{"requestObject": ' })
  t.equal(malformed.statusCode, 400)
  t.same(malformed.json(), { status: 'ERROR', responseObject: { code: 'ERROR_GENERIC', message: 'request body is not valid JSON' } })
  const nul = await app.inject({ method: 'POST', url: '/push/device/create', headers: { authorization, 'content-type': 'application/json' }, payload: '{"requestObject":{"appId":1,"token":"a\\u0000b","platform":"ios","activationId":"x"}}' })
  t.equal(nul.statusCode, 400, 'NUL, which PostgreSQL cannot store, is a 400 and not a storage failure')
  t.match(nul.json().responseObject.message, /NUL character/)
})
