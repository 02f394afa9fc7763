import Fastify from 'fastify'
import t from 'tap'
import routeAuth, { markRoutes } from '../../../../src/plugins/app/access/route-auth.js'

t.test('a route that declares no authentication stops the start', async (t) => {
  const app = Fastify()
  await app.register(routeAuth)
  app.get('/forgotten', async () => 'open')
  await app.register(async (scope) => {
    markRoutes(scope, 'basic')
    scope.get('/guarded', async () => 'guarded')
  })
  await t.rejects(async () => { await app.ready() }, /routes without a declared authentication: GET \/forgotten, HEAD \/forgotten$/)
})

t.test('routes of a marked scope carry its authentication; a deliberate exception says so', async (t) => {
  const app = Fastify()
  await app.register(routeAuth)
  app.get('/healthz', { config: { auth: 'none' } }, async () => 'ok')
  await app.register(async (scope) => {
    markRoutes(scope, 'signed')
    scope.post('/api/thing', async () => 'signed')
    scope.get('/api/ws', { config: { auth: 'in-app-token' } }, async () => 'token')
  })
  await app.ready()
  t.same(app.routeTable().map(({ method, url, auth }) => `${method} ${url} ${auth ?? '-'}`).sort(), [
    'GET /api/ws in-app-token', 'GET /healthz none', 'HEAD /api/ws in-app-token', 'HEAD /healthz none', 'POST /api/thing signed'
  ])
  await app.close()
})

t.test('a route cannot claim basic or signed authentication outside the scope that checks it', async (t) => {
  const app = Fastify()
  await app.register(routeAuth)
  app.get('/pretends', { config: { auth: 'basic' } }, async () => 'open')
  await t.rejects(async () => { await app.ready() }, /claim a scope's authentication outside its scope: GET \/pretends/)
})

t.test('nor inside a scope whose hook checks another kind', async (t) => {
  // The signed scope's hook checks signatures: a route of it that says `basic` would be listed as
  // taking the admin's credentials while no Basic hook runs on it.
  const app = Fastify()
  await app.register(routeAuth)
  await app.register(async (scope) => {
    markRoutes(scope, 'signed')
    scope.get('/api/pretends', { config: { auth: 'basic' } }, async () => 'open')
  })
  await t.rejects(async () => { await app.ready() }, /claim a scope's authentication outside its scope: GET \/api\/pretends/)
})

t.test('nor the console session\'s kinds: the cookie is taken only where a scope checks it', async (t) => {
  for (const auth of ['basic-or-console-session', 'console-session'] as const) {
    const app = Fastify()
    await app.register(routeAuth)
    app.get('/pretends', { config: { auth } }, async () => 'open')
    await t.rejects(async () => { await app.ready() }, /claim a scope's authentication outside its scope: GET \/pretends/, auth)
  }
})

t.test('a single route without authentication stops the start too', async (t) => {
  // A POST has no HEAD twin: one forgotten route alone must be enough to refuse the start.
  const app = Fastify()
  await app.register(routeAuth)
  app.post('/forgotten', async () => 'open')
  await t.rejects(async () => { await app.ready() }, /routes without a declared authentication: POST \/forgotten$/)
})

t.test('nor the signed API\'s: a route outside its scope that says `signed` checks no signature', async (t) => {
  const app = Fastify()
  await app.register(routeAuth)
  app.post('/api/pretends', { config: { auth: 'signed' } }, async () => 'open')
  await t.rejects(async () => { await app.ready() }, /claim a scope's authentication outside its scope: POST \/api\/pretends/)
})

t.test('in the api, every /push, /admin and /inbox route takes Basic or the session, and only the session routes take the session alone', async (t) => {
  const { buildApp } = await import('../../../helper.js')
  const { app } = await buildApp(t)
  const withAuth = (auth: string) => [...new Set(app.routeTable().filter((route) => route.auth === auth).map((route) => route.url))].sort()
  const adminApi = [...new Set(app.routeTable().map((route) => route.url).filter((url) => /^\/(push|admin|inbox)\//.test(url)))].sort()
  t.ok(adminApi.length >= 45, `${adminApi.length} routes`)
  t.same(withAuth('basic-or-console-session'), adminApi)
  t.same(withAuth('console-session'), ['/console/api/session'])
  t.same(withAuth('basic'), [], 'none takes Basic alone')
  t.ok(withAuth('signed').length > 0 && withAuth('signed').every((url) => url.startsWith('/api/1.0/')), 'the signed API keeps its signatures')
})
