import t from 'tap'
import type { RouteEntry } from '../../../src/plugins/app/access/route-auth.js'
import { authorization, buildApp } from '../../helper.js'
import { rawRequest } from '../../raw-http.js'

/**
 * Every spelling of a path that an attacker might try, each a function of the route's own path.
 * Whatever the router makes of them, a request without credentials must be asked for them (401),
 * not found (404 / 400) or refused for its method (405, a path known with other methods): never answered.
 */
const encodeAll = (path: string, upper: boolean) => path.split('/').map((segment) =>
  [...segment].map((char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')[upper ? 'toUpperCase' : 'toLowerCase']()}`).join('')).join('/')
const segments = (path: string) => path.split('/').slice(1)
const first = (path: string) => segments(path)[0] ?? ''

export const SPELLINGS: Record<string, (path: string) => string> = {
  'as registered': (path) => path,
  'first letter percent-encoded': (path) => path.replace(/^\/(.)/, (_, char: string) => `/%${char.charCodeAt(0).toString(16)}`),
  'every character encoded, upper-case hex': (path) => encodeAll(path, true),
  'every character encoded, lower-case hex': (path) => encodeAll(path, false),
  'slashes encoded': (path) => `/${segments(path).join('%2F')}`,
  'absolute-form http': (path) => `http://any.host${path}`,
  'absolute-form https with a port': (path) => `https://any.host:443${path}`,
  'absolute-form with a user': (path) => `http://admin@any.host${path}`,
  'leading double slash': (path) => `/${path}`,
  'doubled inner slash': (path) => path.replace(/^(\/[^/]+)\//, '$1//'),
  'dot segment': (path) => `/.${path}`,
  'parent segment': (path) => `/x/..${path}`,
  'encoded dot segments': (path) => `/x/%2e%2e${path}`,
  'from another API by ..': (path) => `/api/1.0/../..${path}`,
  'upper case': (path) => path.toUpperCase(),
  'first segment capitalised': (path) => path.replace(/^\/(.)/, (_, char: string) => `/${char.toUpperCase()}`),
  'trailing slash': (path) => `${path}/`,
  'semicolon parameter at the end': (path) => `${path};jsessionid=1`,
  'semicolon parameter in the first segment': (path) => path.replace(`/${first(path)}`, `/${first(path)};x=1`),
  'query string': (path) => `${path}?admin=true`,
  fragment: (path) => `${path}#x`,
  backslashes: (path) => path.replaceAll('/', '\\'),
  'trailing encoded space': (path) => `${path}%20`,
  'trailing encoded NUL': (path) => `${path}%00`,
  'double-encoded first letter': (path) => path.replace(/^\/(.)/, (_, char: string) => `/%25${char.charCodeAt(0).toString(16)}`),
  'overlong UTF-8 slash': (path) => path.replace(/^(\/[^/]+)\//, '$1%c0%af'),
  'fullwidth first letter': (path) => path.replace(/^\/(.)/, (_, char: string) => `/${encodeURIComponent(String.fromCharCode(char.charCodeAt(0) + 0xFEE0))}`)
}

/** A concrete path for a route: its parameters filled with plausible values. */
function concrete (route: RouteEntry): string {
  return route.url.replace(':address', 'alice@carrier.example').replace(/:[A-Za-z]+/g, '1')
}

// Bodies that would create something if a request got through, so that a bypass leaves traces.
const BODIES: Record<string, unknown> = {
  '/admin/developer/create': { requestObject: { name: 'intruder', applications: [] } },
  '/admin/app/create': { requestObject: { appId: 99, appName: 'intruder' } },
  '/push/campaign/create': { requestObject: { appId: 99, message: { title: 'x', body: 'x' } } },
  '/inbox/messages': { requestObject: { userId: 'u', applications: [99], type: 'text', subject: 's', summary: 's', body: 'b' } }
}

const DENIED: Record<string, number[]> = {
  basic: [401, 404, 405, 400],
  'basic-or-console-session': [401, 404, 405, 400],
  // 403: a spelling of /console/api/… that the console page's file server took (/console/*) and
  // refused as a malicious path; it serves nothing.
  'console-session': [401, 404, 400, 403],
  signed: [401, 404, 400],
  'in-app-token': [401, 404, 400]
}

t.test('no spelling of a protected path reaches its route without credentials', async (t) => {
  // Wrong guesses are not what this test is about: the failure limit is out of its way.
  const { app } = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '100000' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  // The API's documentation is public by design (test/plugins/openapi.test.ts); no other route is.
  // Public by design: the API's description, and the probes and scrape of orchestrators.
  const isDocumentation = (route: RouteEntry) => route.url === '/openapi.json' || route.url === '/docs' || route.url.startsWith('/docs/')
  const isOperations = (route: RouteEntry) => ['/healthz', '/readyz', '/metrics'].includes(route.url)
  // The console's sign-in takes the credentials in its body (test/routes/console-session).
  const isSignIn = (route: RouteEntry) => route.method === 'POST' && route.url === '/console/api/session'
  // The web console's page: files, which hold no data (test/plugins/external/console-page.test.ts).
  const isConsolePage = (route: RouteEntry) => route.url === '/console' || route.url === '/console/*'
  const all = app.routeTable()
  t.same(all.filter(isConsolePage).map(({ method, url }) => `${method} ${url}`).sort(), ['GET /console', 'GET /console/*', 'HEAD /console', 'HEAD /console/*'], 'the console\'s page is public, nothing more of it')
  t.ok(all.some(isDocumentation), 'the documentation is served (its routes are no loophole for the others)')
  t.same(all.filter(isOperations).map(({ method, url }) => `${method} ${url}`).sort(), ['GET /healthz', 'GET /metrics', 'GET /readyz', 'HEAD /healthz', 'HEAD /metrics', 'HEAD /readyz'], 'the probes and the scrape are public, nothing more of them')
  t.equal(all.filter(isSignIn).length, 1, 'the console\'s sign-in is public, with its credentials in the body')
  const routes = all.filter((route) => !isDocumentation(route) && !isOperations(route) && !isSignIn(route) && !isConsolePage(route))
  t.ok(routes.length >= 45, `the route table lists every route (${routes.length})`)
  t.same(routes.filter((route) => route.auth === undefined || route.auth === 'none').map(({ method, url }) => `${method} ${url}`), [], 'no route is public')
  for (const prefix of ['/push/', '/admin/', '/inbox/', '/api/1.0/']) {
    t.ok(routes.some((route) => route.url.startsWith(prefix)), `routes under ${prefix} are in the corpus`)
  }

  let tried = 0
  const answered: string[] = []
  for (const route of routes) {
    const path = concrete(route)
    const payload = JSON.stringify(BODIES[route.url] ?? { requestObject: {} })
    const allowed = DENIED[route.auth ?? ''] ?? []
    for (const [name, spell] of Object.entries(SPELLINGS)) {
      const target = spell(path)
      const head = `${route.method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}`
      const response = await rawRequest(port, head, route.method === 'GET' || route.method === 'HEAD' ? '' : payload)
      tried++
      if (!allowed.includes(response.status)) answered.push(`${route.method} ${target} (${name}): ${response.status} ${response.body.slice(0, 120)}`)
      // (Other spellings may land in another API's scope, e.g. /api/1.0/../.. in the signed one's.)
      if (name === 'as registered' && (route.auth === 'basic' || route.auth === 'basic-or-console-session') && !/^Basic realm="beacon"/.test(response.headers['www-authenticate'] ?? '')) {
        answered.push(`${route.method} ${target}: ${response.status} without a Basic challenge`)
      }
    }
  }
  t.ok(tried >= routes.length * 25, `${tried} requests`)
  t.same(answered, [], 'every spelling was refused or not found')
  const created = await app.db.$queryRaw<Array<{ total: bigint }>>`
    SELECT (SELECT count(*) FROM developer) + (SELECT count(*) FROM application) + (SELECT count(*) FROM campaign)
      + (SELECT count(*) FROM inbox_message) + (SELECT count(*) FROM device) + (SELECT count(*) FROM message) AS total`
  t.equal(Number(created[0]?.total), 0, 'nothing was created')

  // The control: with the credentials, the plain spelling of a GET route is answered.
  const control = await rawRequest(port, `GET /admin/developer/list HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}`)
  t.equal(control.status, 200, 'the same request with credentials is answered')
})
