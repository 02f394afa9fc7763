import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { base64, createApp, ecKeyPem, serviceAccount, storedCredentials } from './fixtures.js'

// PowerAuth develop's PushServerClient (8e32a9a) removes credentials with deleteImpl("/admin/app/apns?appId=" + appId);
// WebClient's UriBuilder.path() encodes that `?` as %3F (and a space as %20, keeping `+`), so no query arrives.
const appId = 'mobile app+1'
const sent = (provider: string, id: string) => `/admin/app/${provider}%3FappId=${id.replace(/ /g, '%20')}`

// guarantee: powerauth-encoded-query-removal
t.test('DELETE /admin/app/apns|fcm|hms with the query encoded into the path, as PowerAuth develop\'s client sends it, is that removal', async (t) => {
  const { app } = await buildApp(t)
  const id = await createApp(t, app, appId)
  const apns = { appId, bundle: 'some.bundle.id', keyId: 'KEYID123456', teamId: 'TEAMID123456', environment: 'production', privateKeyBase64: base64(ecKeyPem()) }
  t.equal((await call(app, 'PUT', '/admin/app/apns', { requestObject: apns })).statusCode, 200)
  t.equal((await call(app, 'PUT', '/admin/app/fcm', { requestObject: { appId, projectId: 'beacon-test', privateKeyBase64: base64(JSON.stringify(serviceAccount())) } })).statusCode, 200)

  for (const provider of ['apns', 'fcm', 'hms']) {
    const removed = await call(app, 'DELETE', sent(provider, appId))
    t.equal(removed.statusCode, 200, `${provider}: ${removed.body}`)
    t.same(removed.json(), { status: 'OK' })
  }
  t.match(await storedCredentials(app, id), { apns_key_id: null, apns_private_key: null, fcm_project_id: null, fcm_service_account: null },
    'both removed: the appId is read whole, `+` as itself')

  const unknown = await call(app, 'DELETE', sent('apns', 'no-such-app'))
  t.equal(unknown.statusCode, 400, 'an unknown application is named as such, as with ?appId=')

  // Only that shape: another method, another path, or a real query as well stay unknown paths.
  for (const [method, url] of [['POST', sent('apns', appId)], ['DELETE', sent('ios', appId)], ['DELETE', `${sent('fcm', appId)}?appId=x`]] as const) {
    t.equal((await call(app, method, url)).statusCode, 404, `${method} ${url}`)
  }
  const malformed = await call(app, 'DELETE', '/admin/app/apns%3FappId=%E0%A4%A')
  t.same([malformed.statusCode, malformed.json().responseObject.message], [400, 'the request URL is malformed'], 'a malformed encoding is answered as before')
})
