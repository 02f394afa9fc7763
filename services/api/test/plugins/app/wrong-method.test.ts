import t from 'tap'
import { authorization, buildApp, call } from '../../helper.js'

// guarantee: wrong-method-405
t.test('a known path with a wrong method: 405 with Allow and PowerAuth\'s error body; unknown paths stay 404', async (t) => {
  const { app } = await buildApp(t)
  const cases: Array<[string, string, string]> = [
    ['GET', '/push/device/create', 'POST'],
    ['PUT', '/push/message/send', 'POST'],
    ['GET', '/push/campaign/7/delete', 'DELETE, POST'],
    ['DELETE', '/push/campaign/7/user/add', 'POST, PUT'],
    ['GET', '/push/device/status/update', 'POST, PUT'],
    ['POST', '/push/campaign/list?all=true', 'GET, HEAD'],
    ['DELETE', '/inbox/messages', 'POST']
  ]
  for (const [method, url, allow] of cases) {
    const response = await app.inject({ method: method as 'GET', url, headers: { authorization } })
    t.equal(response.statusCode, 405, `${method} ${url}`)
    t.equal(response.headers.allow, allow, `${method} ${url}: Allow`)
    t.same(response.json(), {
      status: 'ERROR',
      responseObject: { code: 'ERROR_REQUEST', message: `${method} is not supported on ${url.split('?')[0]}; use ${allow}` }
    })
  }
  // Nobody maps the API without credentials: the answer comes after the Basic-auth hook.
  for (const [method, url] of [['GET', '/admin/app/create'], ['OPTIONS', '/admin/app/list'], ['PATCH', '/push/device/create'], ['GET', '/admin/developer/create']]) {
    const anonymous = await app.inject({ method: method as 'GET', url })
    t.equal(anonymous.statusCode, 401, `${method} ${url} without credentials: 401, not 405`)
    t.equal(anonymous.headers.allow, undefined, 'no Allow header before the credentials')
    const wrong = await app.inject({ method: method as 'GET', url, headers: { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` } })
    t.equal(wrong.statusCode, 401, `${method} ${url} with wrong credentials: 401`)
  }
  const unknown = await call(app, 'GET', '/push/nothing-here')
  t.equal(unknown.statusCode, 404)
  t.same(unknown.json(), { status: 'ERROR', responseObject: { code: 'ERROR_NOT_FOUND', message: 'no endpoint GET /push/nothing-here' } })
  // The signed API keeps its own answers (there, an unsigned request is asked for a signature first).
  const signed = await app.inject({ method: 'DELETE', url: '/api/1.0/debug/echo' })
  t.not(signed.statusCode, 405)
  t.ok('error' in signed.json(), 'the signed API\'s error body')
})

// guarantee: wrong-method-405-scope
t.test('the developer admin and the console reads, under /admin too, answer a wrong method 405', async (t) => {
  const { app } = await buildApp(t)
  for (const [method, url, allow] of [['GET', '/admin/developer/create', 'POST'], ['GET', '/admin/console/message/list', 'POST'], ['POST', '/admin/console/system/status', 'GET, HEAD']]) {
    const response = await app.inject({ method: method as 'GET', url, headers: { authorization } })
    t.equal(response.statusCode, 405, `${method} ${url}`)
    t.equal(response.headers.allow, allow, `${method} ${url}: Allow`)
  }
})

// Outside the Basic-auth API a path's other methods are no endpoint: the not-found answer.
// guarantee: wrong-method-elsewhere-404
t.test('the console\'s session and page, the probes, /metrics and the docs answer a method they do not take 404', async (t) => {
  const { app } = await buildApp(t)
  const cases = [['PUT', '/console/api/session'], ['POST', '/console/'], ['POST', '/healthz'], ['DELETE', '/readyz'], ['POST', '/metrics'], ['POST', '/openapi.json'], ['PUT', '/docs']]
  for (const [method, url] of cases) {
    const response = await app.inject({ method: method as 'GET', url, headers: { 'x-beacon-console': '1' } })
    t.equal(response.statusCode, 404, `${method} ${url}`)
    t.same(response.json(), { status: 'ERROR', responseObject: { code: 'ERROR_NOT_FOUND', message: `no endpoint ${method} ${url}` } }, `${method} ${url}: the body`)
    t.equal(response.headers.allow, undefined)
  }
})
