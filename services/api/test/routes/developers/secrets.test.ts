import { randomBytes } from 'node:crypto'
import { createSecretBox } from '@beacon/db'
import { developerClient } from '@beacon/testkit'
import t from 'tap'
import { buildApp } from '../../helper.js'
import { UNAUTHORIZED, signedInject } from '../developer-api/signing-fixtures.js'
import { createCarriers, createDeveloper, developerCall } from './fixtures.js'

// Every path a secret takes: created, rotated, used to sign (accepted and refused), listed, shown.
// guarantee: developer-secret-shown-once, no-secrets-in-answers-or-logs
t.test('developer secrets reach only the create and rotate answers: never other answers or the log', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await createCarriers(t, app)
  const created = await createDeveloper(t, app, { name: 'Acme', applications: [1], callbackUrl: 'https://acme.example/cb' })
  const rotated = (await developerCall(app, 'POST', 'rotate', { id: created.id })).json().responseObject

  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = developerClient({ baseUrl, key: created.key, secret: rotated.secret })
  const echo = await client.request('POST', '/api/1.0/debug/echo', { hello: 'world' })
  t.equal(echo.status, 200, 'the returned key and secret sign requests')
  t.equal((await echo.json() as { developerKey: string }).developerKey, created.key)
  const stale = developerClient({ baseUrl, key: created.key, secret: created.secret })
  t.equal((await stale.request('GET', '/api/1.0/debug/echo')).status, 401, 'the rotated-away secret is refused')

  const bodies = [
    (await developerCall(app, 'GET', 'list')).body,
    (await developerCall(app, 'POST', 'detail', { id: created.id })).body,
    (await developerCall(app, 'PUT', 'update', { id: created.id, name: 'Acme 2' })).body,
    (await developerCall(app, 'POST', 'disable', { id: created.id })).body,
    (await developerCall(app, 'POST', 'enable', { id: created.id })).body
  ]
  await app.close()
  const log = logs()
  t.match(log, /signed request refused/, 'the refusal was logged')
  for (const secret of [created.secret, rotated.secret]) {
    t.notOk(log.includes(secret), 'no secret in the log')
    t.notOk(bodies.some((body) => body.includes(secret)), 'no secret in list, detail, update, disable, enable')
  }
  t.notOk(bodies.some((body) => body.includes('"secret"')), 'not even the field')
})

// Whoever can write the database but not read MASTER_KEY must not be able to make one developer's
// secret sign for another: a sealed secret is bound to its row.
// guarantee: sealed-secret-bound-to-row
t.test('a secret copied from another developer\'s row is refused with 401 and logged by code, never by value', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await createCarriers(t, app)
  const a = await createDeveloper(t, app, { name: 'A', applications: [1] })
  const b = await createDeveloper(t, app, { name: 'B', applications: [2] })
  await app.db.$executeRaw`UPDATE developer SET secret = (SELECT secret FROM developer WHERE id = ${a.id}) WHERE id = ${b.id}`
  const copied = Buffer.from((await app.db.developer.findUniqueOrThrow({ where: { id: b.id } })).secret)

  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const echo = (key: string, secret: string) => developerClient({ baseUrl, key, secret }).request('GET', '/api/1.0/debug/echo')
  const withAsSecret = await echo(b.key, a.secret)
  t.equal(withAsSecret.status, 401, 'A\'s secret does not sign as B')
  t.same(await withAsSecret.json(), UNAUTHORIZED, 'the usual 401 body')
  t.equal((await echo(b.key, b.secret)).status, 401, 'nor does B\'s own')
  t.equal((await echo(a.key, a.secret)).status, 200, 'A is unaffected')

  const rotated = (await developerCall(app, 'POST', 'rotate', { id: b.id })).json().responseObject
  t.equal((await echo(b.key, rotated.secret)).status, 200, 'rotating B\'s secret repairs it')

  await app.close()
  const lines = logs().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line))
  const unreadable = lines.filter((line) => line.code === 'DB_SECRET_UNREADABLE')
  t.equal(unreadable.length, 2, 'one line per refused request')
  t.match(unreadable[0], { level: 50, developerId: b.id, developerKey: b.key, column: 'developer.secret', msg: /sealed secret cannot be opened/ })
  t.match(lines.filter((line) => line.msg === 'signed request refused' && line.developerKey === b.key),
    [{ reason: 'SIGNING_KEY_UNKNOWN', keyStatus: 'unreadable' }, { reason: 'SIGNING_KEY_UNKNOWN', keyStatus: 'unreadable' }])
  const log = logs()
  for (const value of [a.secret, b.secret, rotated.secret, copied.toString('base64'), copied.toString('hex')]) {
    t.notOk(log.includes(value), 'neither a secret nor the sealed bytes are logged')
  }
})

t.test('a secret sealed under another MASTER_KEY is a 401 too, logged with the same code', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await createCarriers(t, app)
  const created = await createDeveloper(t, app, { name: 'A', applications: [1] })
  const foreign = createSecretBox(randomBytes(32)).seal({ column: 'developer.secret', rowId: created.id }, created.secret)
  await app.db.developer.update({ where: { id: created.id }, data: { secret: new Uint8Array(foreign) } })
  const response = await signedInject(app, { url: '/api/1.0/debug/echo', key: created.key, secret: created.secret })
  t.equal(response.statusCode, 401)
  t.match(logs(), /"level":50.*"code":"DB_SECRET_UNREADABLE"/)
})
