import t from 'tap'
import { buildApp } from '../../helper.js'
import { ONE, THREE, TWO, createCarriers, createDeveloper, developerCall } from './fixtures.js'

t.test('update: absent fields stay, given ones change, null clears the callback URL', async (t) => {
  const { app } = await buildApp(t)
  await createCarriers(t, app)
  const { secret, ...created } = await createDeveloper(t, app, { name: 'Acme', callbackUrl: 'https://acme.example/cb', applications: [1] })
  const update = async (changes: Record<string, unknown>) => {
    const response = await developerCall(app, 'PUT', 'update', { id: created.id, ...changes })
    t.equal(response.statusCode, 200, response.body)
    t.notOk(response.body.includes(secret), 'never the secret')
    return response.json().responseObject
  }

  t.same(await update({}), created, 'nothing given, nothing changed')
  t.same(await update({ name: 'Acme Ltd' }), { ...created, name: 'Acme Ltd' })
  t.same(await update({ callbackUrl: 'https://acme.example:8443/v2' }), { ...created, name: 'Acme Ltd', callbackUrl: 'https://acme.example:8443/v2' })
  t.same(await update({ callbackUrl: null }), { ...created, name: 'Acme Ltd', callbackUrl: null })
  t.same((await update({ applications: [3, '2'] })).applications, [TWO, THREE], 'the list replaces the grants')
  t.same((await update({ carriers: ['Carrier-One.example'], applications: [] })).applications, [ONE])
  t.same((await update({ name: 'Again' })).applications, [ONE], 'grants stay when not given')
  t.same((await update({ applications: [] })).applications, [], 'an empty list removes them all')
  t.equal(await app.db.developerApplication.count(), 0)
})

// guarantee: developer-admin-null-refused
t.test('update: errors are 400s and change nothing', async (t) => {
  const { app } = await buildApp(t)
  await createCarriers(t, app)
  const { secret: _secret, ...created } = await createDeveloper(t, app, { name: 'Acme', applications: [1] })
  const cases: Array<[Record<string, unknown>, string | RegExp]> = [
    [{ id: 999, name: 'x' }, 'Developer with id 999 does not exist'],
    [{ id: created.id, applications: [2, 99] }, 'Application with appId 99 does not exist'],
    [{ id: created.id, carriers: ['carrier-two.example', 'gone.example'] }, 'No application has the carrier domain gone.example'],
    [{ id: created.id, callbackUrl: 'mailto:x@acme.example' }, 'requestObject.callbackUrl must be an absolute http(s) URL'],
    [{ id: created.id, callbackUrl: 'http://acme.example/cb' }, 'requestObject.callbackUrl must be an https URL'],
    [{ id: created.id, callbackUrl: 'https://127.0.0.1/cb' }, 'requestObject.callbackUrl must not point to a non-public address (loopback)'],
    [{ id: created.id, name: '' }, /^requestObject\.name must be a display name/],
    [{ name: 'x' }, 'requestObject.id is required'],
    // Beacon's own admin API: a null is refused, never read as "absent" (the grants would stay
    // while the operator meant to revoke them).
    [{ id: created.id, applications: null }, /^requestObject\.applications must be/],
    [{ id: created.id, carriers: null }, /^requestObject\.carriers must be/],
    [{ id: created.id, name: null }, /^requestObject\.name must be/]
  ]
  for (const [requestObject, message] of cases) {
    const response = await developerCall(app, 'PUT', 'update', requestObject)
    t.equal(response.statusCode, 400, JSON.stringify(requestObject))
    t.match(response.json().responseObject.message, message)
  }
  t.same((await developerCall(app, 'POST', 'detail', { id: created.id })).json().responseObject, created)
})

t.test('rotate: a new secret, shown once; disable and enable', async (t) => {
  const { app } = await buildApp(t)
  const created = await createDeveloper(t, app, { name: 'Acme' })
  await new Promise((resolve) => setTimeout(resolve, 5))

  const rotated = await developerCall(app, 'POST', 'rotate', { id: created.id })
  t.equal(rotated.statusCode, 200)
  const body = rotated.json().responseObject
  t.match(body.secret, /^[A-Za-z0-9_-]{43}$/)
  t.not(body.secret, created.secret)
  t.equal(body.key, created.key, 'the key stays')
  t.ok(Date.parse(body.timestampSecretRotated) > Date.parse(created.timestampSecretRotated), 'rotation time recorded')
  t.equal(body.timestampCreated, created.timestampCreated)
  const row = await app.db.developer.findUniqueOrThrow({ where: { id: created.id } })
  t.equal(app.secrets.open({ column: 'developer.secret', rowId: row.id }, row.secret).toString(), body.secret)

  const disabled = await developerCall(app, 'POST', 'disable', { id: created.id })
  t.equal(disabled.statusCode, 200)
  t.equal(disabled.json().responseObject.enabled, false)
  t.notOk('secret' in disabled.json().responseObject)
  t.equal((await developerCall(app, 'POST', 'disable', { id: created.id })).json().responseObject.enabled, false, 'idempotent')
  t.equal((await developerCall(app, 'GET', 'list')).json().responseObject.developerList[0].enabled, false)
  const enabled = await developerCall(app, 'POST', 'enable', { id: String(created.id) })
  t.equal(enabled.json().responseObject.enabled, true)
})
