import t from 'tap'
import { buildApp } from '../../helper.js'
import { createDeveloper, developerCall } from './fixtures.js'

// IP literals no callback may reach by default, in the forms a URL can carry them.
const REFUSED_LITERALS: Array<[string, string]> = [
  ['https://127.0.0.1/cb', 'loopback'],
  ['https://127.0.0.1:8443/cb', 'loopback'],
  ['https://[::1]/cb', 'loopback'],
  ['https://[::ffff:127.0.0.1]/cb', 'loopback'],
  ['https://169.254.169.254/latest/meta-data/', 'instanceMetadata'],
  ['https://10.0.0.1/cb', 'private'],
  ['https://172.16.0.1/cb', 'private'],
  ['https://192.168.1.1/cb', 'private'],
  ['https://[fc00::1]/cb', 'uniqueLocal'],
  ['https://[fe80::1]/cb', 'linkLocal'],
  ['https://100.64.0.1/cb', 'carrierGradeNat'],
  ['https://0.0.0.0/cb', 'unspecified'],
  ['https://2130706433/cb', 'loopback']
]

// guarantee: callback-url-checked
t.test('by default a callback URL must be https, and an IP literal host a public address (400 naming the field)', async (t) => {
  const { app } = await buildApp(t)
  for (const [callbackUrl, range] of [['http://acme.example/cb', null], ...REFUSED_LITERALS] as Array<[string, string | null]>) {
    const response = await developerCall(app, 'POST', 'create', { name: 'Acme', callbackUrl })
    t.equal(response.statusCode, 400, callbackUrl)
    t.same(response.json(), {
      status: 'ERROR',
      responseObject: {
        code: 'ERROR_GENERIC',
        message: range === null ? 'requestObject.callbackUrl must be an https URL' : `requestObject.callbackUrl must not point to a non-public address (${range})`
      }
    }, callbackUrl)
  }
  t.equal(await app.db.developer.count(), 0, 'nothing stored')
  const accepted = await createDeveloper(t, app, { name: 'Acme', callbackUrl: 'https://8.8.8.8/cb' })
  t.equal(accepted.callbackUrl, 'https://8.8.8.8/cb', 'a public address literal is fine')
  const named = await createDeveloper(t, app, { name: 'Acme', callbackUrl: 'https://hooks.acme.example/cb' })
  t.equal(named.callbackUrl, 'https://hooks.acme.example/cb', 'names are checked when a callback connects, not here')
  const spelled = await createDeveloper(t, app, { name: 'Acme', callbackUrl: 'https://Hooks.Acme.example/c\tb?x=1\n' })
  t.equal(spelled.callbackUrl, 'https://hooks.acme.example/cb?x=1', 'stored as parsed: tabs and line breaks dropped, the host in lower case')
  t.equal((await app.db.developer.findUniqueOrThrow({ where: { id: spelled.id } })).callbackUrl, 'https://hooks.acme.example/cb?x=1')
})

// guarantee: callback-url-checked
t.test('CALLBACK_ALLOW_HTTP and CALLBACK_ALLOW_PRIVATE_NETWORKS each lift their own rule only', async (t) => {
  const httpOnly = await buildApp(t, { CALLBACK_ALLOW_HTTP: 'true' })
  t.equal((await createDeveloper(t, httpOnly.app, { name: 'Dev', callbackUrl: 'http://hooks.acme.example/cb' })).callbackUrl, 'http://hooks.acme.example/cb')
  const privateRefused = await developerCall(httpOnly.app, 'POST', 'create', { name: 'Dev', callbackUrl: 'http://127.0.0.1:8080/cb' })
  t.equal(privateRefused.json().responseObject.message, 'requestObject.callbackUrl must not point to a non-public address (loopback)')

  const privateOnly = await buildApp(t, { CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' })
  t.equal((await createDeveloper(t, privateOnly.app, { name: 'Dev', callbackUrl: 'https://10.0.0.1/cb' })).callbackUrl, 'https://10.0.0.1/cb')
  t.equal((await developerCall(privateOnly.app, 'POST', 'create', { name: 'Dev', callbackUrl: 'http://10.0.0.1/cb' })).json().responseObject.message,
    'requestObject.callbackUrl must be an https URL')
  t.equal((await developerCall(privateOnly.app, 'POST', 'create', { name: 'Dev', callbackUrl: 'https://169.254.169.254/' })).json().responseObject.message,
    'requestObject.callbackUrl must not point to a non-public address (instanceMetadata)', 'the metadata service stays refused')

  const both = await buildApp(t, { CALLBACK_ALLOW_HTTP: 'true', CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' })
  t.equal((await createDeveloper(t, both.app, { name: 'Dev', callbackUrl: 'http://127.0.0.1:8080/cb' })).callbackUrl, 'http://127.0.0.1:8080/cb')
})

t.test('a setting that is not a boolean stops the api at start', async (t) => {
  await t.rejects(buildApp(t, { CALLBACK_ALLOW_HTTP: 'yes', CALLBACK_ALLOW_PRIVATE_NETWORKS: 'maybe' }), {
    name: 'ConfigError',
    problems: ['CALLBACK_ALLOW_HTTP must be true or false, got "yes"', 'CALLBACK_ALLOW_PRIVATE_NETWORKS must be true or false, got "maybe"']
  })
})
