import t from 'tap'
import { authorization, buildApp, credentials } from '../../../helper.js'

// guarantee: cross-site-writes-refused
t.test('a write another site\'s page started is refused, even with Basic credentials a browser remembered; servers and same-origin pages are unaffected', async (t) => {
  const { app } = await buildApp(t)
  const application = await app.db.application.create({ data: { appId: 'x-site', name: 'x' } })
  const campaign = await app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'Hi', body: 'There' } } })
  // What `<form method=post enctype=text/plain action=…/delete>` sends, with the remembered credentials.
  const deleteFrom = (site: string | undefined) => app.inject({
    method: 'POST',
    url: `/push/campaign/${campaign.id}/delete`,
    headers: { authorization, 'content-type': 'text/plain', ...(site === undefined ? {} : { 'sec-fetch-site': site }) },
    payload: ''
  })
  for (const site of ['cross-site', 'same-site']) {
    const refused = await deleteFrom(site)
    t.equal(refused.statusCode, 403, `Sec-Fetch-Site: ${site}`)
    t.equal(refused.json().responseObject.code, 'ERROR_FORBIDDEN')
    t.match(refused.json().responseObject.message, /another site/)
    t.equal(await app.db.campaign.count({ where: { id: campaign.id } }), 1, `${site}: the campaign is still there`)
  }
  // A signed-API write from another site is refused the same way, before its signature is read.
  const signed = await app.inject({ method: 'POST', url: '/api/1.0/push/a@b.example', headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, payload: '{}' })
  t.equal(signed.statusCode, 403)
  // Any method but the reads is a write: a cross-site DELETE (the console's logout) is refused by this
  // check, not left to the route's own authentication.
  const logout = await app.inject({ method: 'DELETE', url: '/console/api/session', headers: { 'sec-fetch-site': 'cross-site', 'x-beacon-console': '1' } })
  t.equal(logout.statusCode, 403, 'a cross-site DELETE')
  t.match(logout.json().responseObject.message, /another site/)
  // Reads are not refused (another site cannot read the answer: no CORS).
  const read = await app.inject({ method: 'GET', url: '/admin/app/list', headers: { authorization, 'sec-fetch-site': 'cross-site' } })
  t.equal(read.statusCode, 200)
  // The console's own page (same-origin), a typed address (none), and a server (no header) write.
  for (const site of ['same-origin', 'none', undefined]) {
    const other = await app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'Hi', body: 'There' } } })
    const allowed = await app.inject({
      method: 'POST', url: `/push/campaign/${other.id}/delete`, headers: { authorization, 'content-type': 'application/json', ...(site === undefined ? {} : { 'sec-fetch-site': site }) }, payload: '{}'
    })
    t.equal(allowed.statusCode, 200, `Sec-Fetch-Site: ${site ?? '(absent)'}: ${allowed.body.slice(0, 200)}`)
  }
})

// guarantee: console-session-no-store
t.test('the admin API\'s answers to the console\'s cookie are never stored by a cache', async (t) => {
  const { app } = await buildApp(t)
  const signIn = await app.inject({ method: 'POST', url: '/console/api/session', headers: { 'content-type': 'application/json', 'x-beacon-console': '1' }, payload: JSON.stringify(credentials) })
  const cookie = String(signIn.headers['set-cookie']).split(';')[0]!
  const list = await app.inject({ method: 'GET', url: '/admin/developer/list', headers: { cookie, 'x-beacon-console': '1' } })
  t.equal(list.statusCode, 200)
  t.equal(list.headers['cache-control'], 'no-store')
})

t.test('a cross-site PUT is a write like the others: refused, and nothing changes', async (t) => {
  const { app } = await buildApp(t)
  const developer = await app.db.developer.create({ data: { key: 'x-site-dev', name: 'Before', secret: new Uint8Array(32) } })
  const update = (site: string | undefined) => app.inject({
    method: 'PUT',
    url: '/admin/developer/update',
    headers: { authorization, 'content-type': 'application/json', ...(site === undefined ? {} : { 'sec-fetch-site': site }) },
    payload: JSON.stringify({ requestObject: { id: developer.id, name: 'Renamed' } })
  })
  // A page of another site can send a PUT with fetch(…, { method: 'PUT' }) and remembered Basic credentials.
  const refused = await update('cross-site')
  t.equal(refused.statusCode, 403, 'Sec-Fetch-Site: cross-site')
  t.match(refused.json().responseObject.message, /another site/)
  t.equal((await app.db.developer.findUniqueOrThrow({ where: { id: developer.id } })).name, 'Before', 'the developer is unchanged')
  t.equal((await update(undefined)).statusCode, 200, 'a server\'s PUT (no Sec-Fetch-Site) goes through')
})

// The console's header check holds only while no other origin may send the header: a preflight
// the api granted (as a CORS plugin would) would let any site's script act with the session.
// guarantee: cors-preflight-never-answered
t.test('no CORS: a preflight from another origin is granted nothing, and no answer is opened to it', async (t) => {
  const { app } = await buildApp(t)
  const origin = 'https://elsewhere.example'
  for (const url of ['/console/api/session', '/admin/console/message/list', '/admin/developer/create', '/push/message/send', '/api/1.0/push/a@b.example']) {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url,
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-beacon-console' }
    })
    t.ok(preflight.statusCode >= 400, `${url}: the preflight is refused (${preflight.statusCode})`)
    t.same(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-')), [], `${url}: no Access-Control-* header`)
  }
  // A read another origin's script may send without a preflight: answered, but not readable there.
  const read = await app.inject({ method: 'GET', url: '/admin/app/list', headers: { authorization, origin } })
  t.equal(read.statusCode, 200)
  t.same(Object.keys(read.headers).filter((name) => name.startsWith('access-control-')), [], 'no Access-Control-* header on an answer')
})
