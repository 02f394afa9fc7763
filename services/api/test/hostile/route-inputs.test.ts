import t from 'tap'
import { readJacksonValue } from '../../src/domain/powerauth/jackson-input.js'
import type { RouteEntry } from '../../src/plugins/app/access/route-auth.js'
import { authorization, buildApp, call, credentials } from '../helper.js'
import { base64, ecKeyPem, pemBodyLines, serviceAccount } from '../routes/admin/fixtures.js'
import { CONSOLE, SESSION_COOKIE, sessionOf } from '../routes/console-session/fixtures.js'
import { SECRET, insertDeveloper, signedInject } from '../routes/developer-api/signing-fixtures.js'
import { type Json, type Schema, type Attack, jsonText, compile, slotsOf, withValueAt, hostileValues, withExtraProperties, HOSTILE_URL_VALUES } from './mutations.js'
import { readsJackson, destructive, type Seeds, baseBodies, baseQueries, baseParams, pathWith, queryWith, encoded, HUAWEI_SECRET, OTHER_SECRET } from './route-fixtures.js'

/**
 * Every route of the api (app.routeTable(), as test/plugins/app/path-spellings.test.ts walks it),
 * attacked with hostile input derived from its own schemas: each property of a body replaced by
 * null, the wrong type, huge and odd numbers, an empty, a 100,000-character and a lone-surrogate
 * string, an object, 10,000 items, or dropped when required; bodies that are a bare array, null,
 * a string, or carry 1,000 extra properties; path parameters and query strings likewise. Properly
 * authenticated, so that the input reaches the route. The rules (README): no 5xx; every error in
 * the route's API's own format; no secret echoed; input the schema refuses is never accepted; and
 * nothing stored loses characters (a lone surrogate silently turned into U+FFFD).
 */

t.test('every route answers hostile input with a 4xx in its own format, and echoes no secret', async (t) => {
  const started = Date.now()
  const { app, config, logs } = await buildApp(t, {
    AUTH_FAILURES_PER_ADDRESS: '100000',
    SIGNED_REQUESTS_PER_MINUTE: '1000000',
    INAPP_CONNECTS_PER_MINUTE: '1000000',
    INAPP_CONNECTS_PER_TOKEN_PER_MINUTE: '10000',
    // A body whose `mode` is dropped (a null, as PowerAuth's client writes an unset field) is a
    // synchronous send, which waits for results no dispatcher of this test will give.
    SYNC_TIMEOUT_MS: '100'
  }, { captureLogs: true })

  // Seeds: what the routes' bodies refer to, so that valid parts of a body find their rows.
  const { developer, application } = await insertDeveloper(app)
  const other = await insertDeveloper(app, { key: 'other-dev-key-0123', secret: OTHER_SECRET })
  const apnsPem = ecKeyPem()
  const account = serviceAccount()
  const seeds: Seeds = {
    appId: application.appId,
    developerId: String(developer.id),
    otherDeveloperId: String(other.developer.id),
    campaignId: '',
    messageId: '',
    inboxId: '',
    apnsKey: base64(apnsPem),
    fcmKey: base64(JSON.stringify(account))
  }
  const seeded = async (what: string, response: { statusCode: number, body: string, json: () => any }) => {
    t.equal(response.statusCode, 200, `seeded ${what}: ${response.body.slice(0, 200)}`)
    return response.json()
  }
  await seeded('an application to remove', await call(app, 'POST', '/admin/app/create', { requestObject: { appId: 'doomed' } }))
  let bodies = baseBodies(seeds)
  await seeded('a device', await call(app, 'POST', '/push/device/create', bodies['/push/device/create']))
  seeds.messageId = (await seeded('a message', await call(app, 'POST', '/push/message/send', bodies['/push/message/send']))).responseObject.messageIds[0]
  seeds.campaignId = (await seeded('a campaign', await call(app, 'POST', '/push/campaign/create', bodies['/push/campaign/create']))).responseObject.id
  seeds.inboxId = (await seeded('an inbox message', await call(app, 'POST', '/inbox/messages', bodies['/inbox/messages']))).responseObject.id
  const tokenBody = JSON.stringify({ user: 'alice@carrier.example' })
  const inAppToken: string = (await seeded('an in-app token', await signedInject(app, { method: 'POST', url: '/api/1.0/im/token', body: tokenBody, contentType: 'application/json' }))).token
  const sessionCookie = await sessionOf(t, app)
  bodies = baseBodies(seeds)
  const queries = baseQueries(seeds, inAppToken)

  // What must never come back: the admin's credentials, the developers' secrets, the master key,
  // the uploaded keys (their PEM lines and stretches of their base64), HMS's secret, the tokens.
  const stretches = (text: string) => Array.from({ length: Math.floor(text.length / 200) }, (_, i) => text.slice(i * 200, i * 200 + 40))
  const secrets = new Map<string, string>([
    ['the admin password', credentials.password],
    ['the Basic credentials', authorization.slice('Basic '.length)],
    ['the developer secret', SECRET],
    ['the other developer secret', OTHER_SECRET],
    ['the master key', config.masterKey.toString('base64')],
    ['the HMS client secret', HUAWEI_SECRET],
    ['the in-app token', inAppToken],
    ['the console session cookie', sessionCookie],
    ...pemBodyLines(apnsPem).map((line, i): [string, string] => [`APNs private key line ${i}`, line]),
    ...pemBodyLines(String(account.private_key)).map((line, i): [string, string] => [`FCM private key line ${i}`, line]),
    ...stretches(seeds.apnsKey).map((part, i): [string, string] => [`APNs key base64 part ${i}`, part]),
    ...stretches(seeds.fcmKey).map((part, i): [string, string] => [`FCM key base64 part ${i}`, part])
  ])
  // Secrets the api issues in its answers (create, rotate): shown once to their caller, never logged.
  const issued: string[] = []

  // Authenticated as each route asks; the console's logout gets a fresh session every time.
  async function send (attack: Attack) {
    const { route, url, payload } = attack
    const method = route.method as 'GET'
    const body = payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }
    switch (route.auth) {
      case 'signed':
        return await signedInject(app, { method, url, ...(payload === undefined ? {} : { body: payload, contentType: 'application/json' }) })
      case 'in-app-token':
        return await app.inject({ method, url, ...body, headers: { ...body.headers, authorization: `Bearer ${inAppToken}` } })
      case 'console-session': {
        const cookie = route.method === 'DELETE' ? await sessionOf(t, app) : sessionCookie
        return await app.inject({ method, url, ...body, headers: { ...body.headers, ...CONSOLE, cookie: `${SESSION_COOKIE}=${cookie}` } })
      }
      case 'none':
        return await app.inject({ method, url, ...body, headers: { ...body.headers, ...CONSOLE } })
      default:
        return await app.inject({ method, url, ...body, headers: { ...body.headers, authorization } })
    }
  }

  // Where stored text holds U+FFFD, which no request sends: a lone surrogate the api took and
  // PostgreSQL's UTF-8 could not hold, replaced on the way (the text is lost, and two different
  // user ids become one). Counted per column after every accepted lone surrogate.
  const columns = await app.db.$queryRaw<Array<{ table: string, column: string }>>`
    SELECT table_name AS table, column_name AS column FROM information_schema.columns
    WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'json', 'jsonb') ORDER BY 1, 2`
  const replacementCounts = columns.map(({ table, column }) =>
    `SELECT '${table}.${column}' AS place, count(*)::int AS n FROM "${table}" WHERE strpos("${column}"::text, chr(65533)) > 0`).join(' UNION ALL ')
  const replacements = new Map<string, number>()
  async function newReplacements (): Promise<string[]> {
    const rows = await app.db.$queryRawUnsafe<Array<{ place: string, n: number }>>(replacementCounts)
    const grown = rows.filter(({ place, n }) => n > (replacements.get(place) ?? 0)).map(({ place }) => place)
    for (const { place, n } of rows) replacements.set(place, n)
    return grown
  }
  t.same(await newReplacements(), [], 'no U+FFFD stored before the attacks')
  // U+FFFD stored by background work (the in-app channel's push fallback, say) from an earlier request's text.
  const asynchronous: string[] = []

  const failures = { serverErrors: [] as string[], format: [] as string[], echoed: [] as string[], accepted: [] as string[], replaced: [] as string[] }
  let requests = 0
  const show = (text: string | undefined, max = 160) => text === undefined ? '(none)' : text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text

  async function attack (attack: Attack): Promise<number> {
    // (Only where something could be stored: a route of its own with a method that writes.)
    const surrogate = /lone surrogate/.test(attack.what) && attack.route.schema !== undefined && !['GET', 'HEAD'].includes(attack.route.method)
    // (What asynchronous work stored since the last look is not this request's.)
    if (surrogate) asynchronous.push(...await newReplacements())
    const logged = logs().length
    const response = await send(attack)
    requests++
    const { route } = attack
    const name = `${route.method} ${show(attack.url, 120)} [${attack.what}] body ${show(attack.payload, 200)}`
    const status = response.statusCode
    if (status >= 500) {
      const errors = logs().slice(logged).split('\n').filter((line) => /"level":(50|60)/.test(line)).map((line) => show(line, 1500))
      failures.serverErrors.push(`${name} → ${status} ${show(response.body, 300)}; server log: ${errors.join(' | ') || '(nothing at error level)'}`)
    }
    if (status >= 400 && route.method !== 'HEAD') {
      const problem = formatProblem(route, status, response.headers['content-type'], response.body)
      if (problem !== undefined) failures.format.push(`${name} → ${status} ${show(response.body, 300)}: ${problem}`)
    }
    if (attack.bodyValid === false && status < 400) failures.accepted.push(`${name} → ${status} ${show(response.body, 200)}: the schema refuses this body`)
    const { 'set-cookie': _cookie, ...headers } = response.headers
    const answer = `${JSON.stringify(headers)}\n${response.body}`
    const leaked = [...secrets].filter(([, secret]) => answer.includes(secret)).map(([what]) => what)
    if (/-----BEGIN|PRIVATE KEY-----/.test(answer)) leaked.push('PEM armour')
    if (leaked.length > 0) failures.echoed.push(`${name} → ${status}: ${leaked.join(', ')} in ${show(answer, 300)}`)
    if (surrogate && status < 400) {
      const places = await newReplacements()
      if (places.length > 0) failures.replaced.push(`${name} → ${status} ${show(response.body, 200)}: stored as U+FFFD in ${places.join(', ')}`)
    }
    if (status === 200 && /\/admin\/developer\/(create|rotate)$/.test(route.url)) {
      const secret = (response.json() as { responseObject?: { secret?: unknown } }).responseObject?.secret
      if (typeof secret === 'string') issued.push(secret)
    }
    return status
  }

  const all = app.routeTable()
  const rank = (route: RouteEntry) => route.auth === 'signed' || route.auth === 'in-app-token' ? 0 : destructive(route) ? 2 : 1
  const routes = all.map((route, i) => ({ route, i })).sort((a, b) => rank(a.route) - rank(b.route) || a.i - b.i).map(({ route }) => route)
  t.ok(routes.length >= 100, `${routes.length} routes`)
  const coverage = new Map<string, number>()
  const covered = (route: RouteEntry) => coverage.set(`${route.method} ${route.url}`, (coverage.get(`${route.method} ${route.url}`) ?? 0) + 1)

  // Keeping it fast (~8,000 requests otherwise): a second method of a path with the same schemas
  // (POST and PUT of one handler, the HEAD of a GET) gets every third attack, spread over the kinds.
  const attacked = new Set<string>()
  for (const route of routes) {
    const schema = (route.schema ?? {}) as { body?: Schema, params?: Schema, querystring?: Schema }
    const params = baseParams(seeds, route.url)
    const path = pathWith(route.url, params)
    const query = queries[route.url] ?? {}
    const url = `${path}${queryWith(encoded(query))}`
    const base: Json = bodies[route.url] ?? (schema.body === undefined ? undefined : {})
    if (schema.body !== undefined && !(route.url in bodies)) t.fail(`${route.method} ${route.url}: no base body for a route with a body schema`)
    const same = `${route.url} ${JSON.stringify(route.schema ?? null)}`
    const twin = route.schema !== undefined && attacked.has(same)
    attacked.add(same)
    let tried = 0
    const hit = async (attempt: Attack): Promise<number | undefined> => {
      if (twin && tried++ % 3 !== 0) return undefined
      covered(route)
      return await attack(attempt)
    }

    if (schema.body !== undefined) {
      const validate = compile({ schema: schema.body })
      const verdict = (text: string) => {
        const parsed = JSON.parse(text) as Json
        return validate(readsJackson(route.url) ? readJacksonValue(parsed, schema.body) : parsed)
      }
      t.ok(verdict(jsonText(base)), `${route.method} ${route.url}: the base body is valid`)
      for (const slot of slotsOf(schema.body)) {
        for (const [what, value] of hostileValues(slot, base)) {
          const payload = jsonText(withValueAt(base, slot.path, value))
          await hit({ route, url, what: `${slot.path.join('.')}: ${what}`, payload, bodyValid: verdict(payload) })
        }
      }
    }
    // Whole bodies, for every route (those without a body schema take none, and must say so or ignore it).
    const wholes: Array<[string, () => string]> = [
      ['a bare array', () => jsonText([base ?? {}])],
      ['null', () => 'null'],
      ['a string', () => '"a string"'],
      ['1,000 extra properties', () => jsonText(withExtraProperties(base ?? {}))]
    ]
    // The 300-odd routes that only answer 405 (a method the path does not take: wrong-method.ts)
    // get one hostile body and two hostile query strings.
    let onlyWrongMethod = false
    for (const [what, text] of wholes) {
      if (onlyWrongMethod) break
      const payload = text()
      const bodyValid = schema.body === undefined ? undefined : compile({ schema: schema.body })(JSON.parse(payload))
      const status = await hit({ route, url, what: `a body that is ${what}`, payload, ...(bodyValid === undefined ? {} : { bodyValid }) })
      onlyWrongMethod = route.schema === undefined && status === 405
    }

    // Path parameters: each replaced, the others as they were.
    for (const name of Object.keys(params).filter((name) => route.url.includes(`:${name}`))) {
      for (const [what, value] of onlyWrongMethod ? [] : HOSTILE_URL_VALUES) {
        const target = `${pathWith(route.url, { ...params, [name]: value })}${queryWith(encoded(query))}`
        await hit({ route, url: target, what: `path parameter ${name}: ${what}`, ...(base === undefined ? {} : { payload: jsonText(base) }) })
      }
    }

    // Query parameters: those of the schema, one at a time; a stranger's, for every route.
    const names = Object.keys(schema.querystring?.properties ?? {})
    for (const name of names.length > 0 ? names : ['hostile']) {
      const others = encoded(query).filter(([other]) => other !== name)
      const variants: Array<[string, Array<[string, string]>]> = [
        ...HOSTILE_URL_VALUES.map(([what, value]): [string, Array<[string, string]>] => [what, [...others, [name, value]]]),
        ['repeated', [...others, [name, '1'], [name, '2']]],
        ['repeated 10,000 times', [...others, ...Array.from({ length: 10_000 }, (): [string, string] => [name, '1'])]],
        ['as a bracketed object', [...others, [`${name}[a]`, '1'], [`${name}[b][c]`, '2']]]
      ]
      if (schema.querystring?.required?.includes(name) === true) variants.push(['dropped', others])
      const chosen = onlyWrongMethod
        ? variants.filter(([what]) => ['a lone surrogate (WTF-8)', 'repeated 10,000 times'].includes(what))
        : variants
      for (const [what, entries] of chosen) {
        await hit({ route, url: `${path}${queryWith(entries)}`, what: `query ${name}: ${what}`, ...(base === undefined ? {} : { payload: jsonText(base) }) })
      }
    }
  }

  // Every route attacked (each body schema's every property in full, on the first method that has it).
  t.same(routes.filter((route) => (coverage.get(`${route.method} ${route.url}`) ?? 0) === 0).map(({ method, url }) => `${method} ${url}`), [], 'every route was attacked')
  t.ok(requests >= 3000, `${requests} requests in ${Math.round((Date.now() - started) / 1000)} s`)

  t.same(failures.serverErrors, [], 'no hostile input is answered with a 5xx')
  t.same(failures.format, [], 'every error is in the route\'s own API\'s error format')
  t.same(failures.echoed, [], 'no answer echoes a secret')
  t.same(failures.accepted, [], 'no body the schema refuses is accepted')

  asynchronous.push(...await newReplacements())
  for (const place of new Set(asynchronous)) failures.replaced.push(`stored as U+FFFD in ${place} by background work, from an earlier request's lone surrogate`)
  t.same(failures.replaced, [], 'no lone surrogate the api took was stored as U+FFFD')

  // And the log, at trace level, holds none of the secrets either (nor those the api issued).
  const log = logs()
  const inLog = [...[...secrets].filter(([, secret]) => log.includes(secret)).map(([what]) => what),
    ...issued.filter((secret) => log.includes(secret)).map(() => 'a developer secret the api issued')]
  t.ok(issued.length > 0, `${issued.length} developer secrets issued by the attacks, looked for in the log too`)
  t.same([...new Set(inLog)], [], 'no secret in the server log')
})

/** What is wrong with an error answer's format, or undefined: the signed API's under /api/, PowerAuth's elsewhere. */
function formatProblem (route: RouteEntry, status: number, contentType: unknown, body: string): string | undefined {
  if (!/^application\/json/.test(String(contentType))) return `content-type ${String(contentType)}`
  let parsed: any
  try {
    parsed = JSON.parse(body)
  } catch {
    return 'not JSON'
  }
  if (route.url.startsWith('/api/')) {
    const error = parsed?.error
    const ok = Object.keys(parsed ?? {}).length === 1 && error?.status === status && typeof error?.code === 'number' &&
      Math.floor(error.code / 100) === status && typeof error?.message === 'string' && error.message !== ''
    return ok ? undefined : 'not {"error":{"status","code","message"}} with the answer\'s status'
  }
  const inner = parsed?.responseObject
  const ok = parsed?.status === 'ERROR' && typeof inner?.code === 'string' && typeof inner?.message === 'string' && inner.message !== ''
  return ok ? undefined : 'not {"status":"ERROR","responseObject":{"code","message"}}'
}
