import t from 'tap'
import { authorization, buildApp, call } from '../../helper.js'

const errorBody = (code: string, message: string | RegExp) => ({ status: 'ERROR', responseObject: { code, message } })
const device = { requestObject: { appId: 1, token: 'a'.repeat(64), platform: 'ios', activationId: 'a-1' } }

// guarantee: error-body
t.test('each kind of error answers PowerAuth\'s body with its status and code', async (t) => {
  const { app } = await buildApp(t, { BODY_LIMIT_BYTES: '1024' })
  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/push/device/create', headers: { authorization, 'content-type': contentType }, payload })
  const cases: Array<[string, () => ReturnType<typeof call>, number, string]> = [
    ['a broken rule', () => call(app, 'POST', '/push/device/create', { requestObject: { ...device.requestObject, appId: -1 } }), 400, 'ERROR_GENERIC'],
    ['no credentials', () => app.inject({ method: 'GET', url: '/admin/app/list' }), 401, 'ERROR_UNAUTHORIZED'],
    ['no such endpoint', () => call(app, 'GET', '/push/nothing-here'), 404, 'ERROR_NOT_FOUND'],
    ['a body over BODY_LIMIT_BYTES', () => post(JSON.stringify({ requestObject: { pad: 'x'.repeat(2000) } })), 413, 'ERROR_REQUEST'],
    ['a body of a type the api does not read', () => post('<appId>1</appId>', 'application/xml'), 415, 'ERROR_REQUEST']
  ]
  for (const [what, request, status, code] of cases) {
    const response = await request()
    t.equal(response.statusCode, status, `${what}: ${response.body}`)
    t.match(response.headers['content-type'], /^application\/json/, `${what}: JSON`)
    t.same(Object.keys(response.json()), ['status', 'responseObject'], `${what}: nothing beside the envelope`)
    t.match(response.json(), errorBody(code, /\S/), `${what}: ${code} with a message`)
    t.same(Object.keys(response.json().responseObject), ['code', 'message'], `${what}: code and message only`)
  }
})

t.test('a defect is a 500 ERROR_INTERNAL whose message points to the log', async (t) => {
  const { app } = await buildApp(t)
  const query = app.db.pool.query
  app.db.pool.query = (() => { throw new TypeError('simulated defect') }) as typeof query
  t.teardown(() => { app.db.pool.query = query })
  const response = await call(app, 'POST', '/push/device/create', device)
  app.db.pool.query = query
  t.equal(response.statusCode, 500, response.body)
  t.same(response.json(), errorBody('ERROR_INTERNAL', 'internal error; see the server log'), 'the defect\'s own words stay in the log')
})
