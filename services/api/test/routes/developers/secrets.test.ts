import { createSignedClient } from '@beacon/signing'
import t from 'tap'
import { buildApp } from '../../helper.js'
import { createCarriers, createDeveloper, developerCall } from './fixtures.js'

// Every path a secret takes: created, rotated, used to sign (accepted and refused), listed, shown.
t.test('developer secrets reach only the create and rotate answers: never other answers or the log', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  await createCarriers(t, app)
  const created = await createDeveloper(t, app, { name: 'Acme', applications: [1], callbackUrl: 'https://acme.example/cb' })
  const rotated = (await developerCall(app, 'POST', 'rotate', { id: created.id })).json().responseObject

  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = createSignedClient({ baseUrl, key: created.key, secret: rotated.secret })
  const echo = await client.request('POST', '/api/1.0/debug/echo', { hello: 'world' })
  t.equal(echo.status, 200, 'the returned key and secret sign requests')
  t.equal((await echo.json() as { developerKey: string }).developerKey, created.key)
  const stale = createSignedClient({ baseUrl, key: created.key, secret: created.secret })
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
