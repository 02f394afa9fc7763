import t from 'tap'
import { OPERATIONS, TAGS } from '../../src/openapi/operations.js'
import { openapiPath } from '../../src/openapi/seed-examples.js'
import type { RouteEntry } from '../../src/plugins/app/access/route-auth.js'
import { authorization, buildApp } from '../helper.js'

type Operation = { operationId?: string, tags?: string[], security?: Array<Record<string, string[]>> }
type Document = { paths: Record<string, Record<string, Operation>> }

/**
 * Registered routes that are no operations of the API, and why. Everything else the api answers
 * must be in /openapi.json.
 */
const NOT_OPERATIONS: Array<{ why: string, matches: (route: RouteEntry, routes: RouteEntry[]) => boolean }> = [
  // Fastify answers HEAD for every GET route by itself (exposeHeadRoutes): the GET is documented.
  { why: 'HEAD twin of a GET', matches: (route, routes) => route.method === 'HEAD' && routes.some((other) => other.method === 'GET' && other.url === route.url) },
  // The documentation's own routes: the document, Swagger UI's page, its copies of the document and its static assets.
  { why: 'the documentation itself', matches: (route) => route.url === '/openapi.json' || route.url === '/docs' || route.url.startsWith('/docs/') },
  // The web console's page and its assets (files, not an API; plugins/external/console-page.ts).
  { why: 'the console\'s page', matches: (route) => route.url === '/console' || route.url === '/console/' || route.url === '/console/*' }
  // (A method a PowerAuth path does not take is a route too, answering 405 (wrong-method.ts): checked below.)
]

const operationOf = (document: Document, route: RouteEntry) => document.paths[openapiPath(route.url)]?.[route.method.toLowerCase()]

// guarantee: openapi-covers-every-route
t.test('every route the api registers is in /openapi.json with its method', async (t) => {
  const { app } = await buildApp(t)
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document
  const routes = app.routeTable()
  const missing: string[] = []
  let documented = 0
  for (const route of routes) {
    if (NOT_OPERATIONS.some(({ matches }) => matches(route, routes))) continue
    if (operationOf(document, route) !== undefined) {
      documented++
      continue
    }
    // Not documented: only a method that the path does not take (answered 405 with credentials).
    const url = route.url.replace(/:\w+/g, '1')
    const answer = await app.inject({ method: route.method as 'GET', url, headers: { authorization } })
    if (answer.statusCode !== 405) missing.push(`${route.method} ${route.url}`)
  }
  t.ok(documented >= 60, `${documented} operations documented`)
  t.same(missing, [], 'routes missing from /openapi.json (register them after the openapi plugin in app.ts, or list them in NOT_OPERATIONS with the reason): ' + missing.join(', '))
})

t.test('every operation is named in operations.ts: a stable id, a summary and a known tag', async (t) => {
  const { app } = await buildApp(t)
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document
  const unnamed: string[] = []
  const ids = new Set<string>()
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const id = OPERATIONS[path]?.ids[method.toUpperCase()]
      if (id === undefined) unnamed.push(`${method.toUpperCase()} ${path}`)
      t.equal(operation.operationId, id ?? operation.operationId, `${method.toUpperCase()} ${path}: its id is the catalog's`)
      t.notOk(ids.has(operation.operationId ?? ''), `${operation.operationId}: unique`)
      ids.add(operation.operationId ?? '')
      t.ok(TAGS.some((tag) => operation.tags?.includes(tag.name)), `${method.toUpperCase()} ${path}: tagged`)
    }
  }
  t.same(unnamed, [], 'operations without an entry in src/openapi/operations.ts (add one): ' + unnamed.join(', '))
  // A catalog entry for nothing is a route that moved: its id would silently change.
  const stale = Object.entries(OPERATIONS).flatMap(([path, entry]) =>
    Object.keys(entry.ids).filter((method) => document.paths[path]?.[method.toLowerCase()] === undefined).map((method) => `${method} ${path}`))
  t.same(stale, [], 'entries of operations.ts that name no operation')
  t.equal(document.paths['/push/device/create']?.post?.operationId, 'createDevice', 'ids are the written ones')
})

const SCHEMES_OF = { basic: ['basic'], signed: ['maaiisdk10'], 'in-app-token': ['inAppBearer', 'inAppQueryToken'] }
const CONSOLE_SESSION = ['consoleSession', 'consoleHeader']

// guarantee: openapi-security-schemes
t.test('each operation documents the security it really asks for', async (t) => {
  const { app } = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '100000' })
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document
  // The rule as the README states it, independent of how routes declare their authentication.
  // The PowerAuth API, the developer admin and the console's reads take Basic or the console's
  // session (cookie and header); its sign-in is open, who am I and logout take the session alone.
  const expected = (path: string, method: string) => path === '/api/1.0/im/connect'
    ? SCHEMES_OF['in-app-token']
    : path.startsWith('/api/1.0/')
      ? SCHEMES_OF.signed
      : path === '/console/api/session'
        ? (method === 'post' ? [] : CONSOLE_SESSION)
        : /^\/(push|admin|inbox)\//.test(path) ? [...SCHEMES_OF.basic, ...CONSOLE_SESSION] : []
  let checked = 0
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const name = `${method.toUpperCase()} ${path}`
      const schemes = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement))
      t.same(schemes, expected(path, method), `${name}: documented with ${schemes.join(' or ') || 'no security'}`)
      // And the api agrees: without credentials it is refused exactly when the document says so.
      const url = path.replace('{address}', 'alice@carrier.example').replace(/\{\w+\}/g, '1')
      const answer = await app.inject({ method: method.toUpperCase() as 'GET', url })
      checked++
      if (schemes.length === 0) {
        t.not(answer.statusCode, 401, `${name} is open, as documented`)
      } else {
        t.equal(answer.statusCode, 401, `${name} asks for credentials, as documented`)
        if (schemes.includes('basic')) t.match(answer.headers['www-authenticate'], /^Basic /, `${name}: a Basic challenge`)
        if (schemes.includes('maaiisdk10')) t.equal(answer.headers['www-authenticate'], 'MAAIISDK10', `${name}: a MAAIISDK10 challenge`)
      }
    }
  }
  t.ok(checked >= 60, `${checked} operations checked`)
})
