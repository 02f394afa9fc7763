import { request } from 'node:http'
import { createSignedClient } from '@beacon/signing'
import { developerClient } from '@beacon/testkit'
import t from 'tap'
import { buildApp } from '../../helper.js'
import { KEY, SECRET, UNAUTHORIZED, insertDeveloper, signedHeaders } from './signing-fixtures.js'

// guarantee: debug-echo
t.test('/api/1.0/debug/echo over real HTTP with a developer\'s own signer', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = developerClient({ baseUrl, key: KEY, secret: SECRET })

  const posted = await client.request('POST', '/api/1.0/debug/echo', { message: 'héllo', list: [1, 2] })
  t.equal(posted.status, 200)
  t.same(await posted.json(), { developerKey: KEY, method: 'POST', uri: '/api/1.0/debug/echo', body: { message: 'héllo', list: [1, 2] } })

  const got = await client.request('get', '/api/1.0/debug/echo?z=1&a=%20b')
  t.equal(got.status, 200)
  t.same(await got.json(), { developerKey: KEY, method: 'GET', uri: '/api/1.0/debug/echo?z=1&a=%20b', body: null },
    'the URI exactly as sent, encoding and order kept')

  const wrong = developerClient({ baseUrl, key: KEY, secret: 'not-the-secret' })
  const refused = await wrong.request('POST', '/api/1.0/debug/echo', {})
  t.equal(refused.status, 401)
  t.equal(refused.headers.get('www-authenticate'), 'MAAIISDK10')
  t.same(await refused.json(), UNAUTHORIZED)

  const unsigned = await fetch(`${baseUrl}/api/1.0/debug/echo`)
  t.equal(unsigned.status, 401)
  t.same(await unsigned.json(), UNAUTHORIZED)
})

// The README's example client; the server it talks to is checked against an independent signer above.
t.test('the signing client of @beacon/signing is accepted', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = createSignedClient({ baseUrl, key: KEY, secret: SECRET })
  const posted = await client.request('POST', '/api/1.0/debug/echo', { hello: 'world' })
  t.equal(posted.status, 200)
  t.same(await posted.json(), { developerKey: KEY, method: 'POST', uri: '/api/1.0/debug/echo', body: { hello: 'world' } })
})

/** A GET through node:http, which sends an array value as separate header lines (fetch would join them). */
function rawGet (url: string, headers: Record<string, string | string[]>): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    }).on('error', reject).end()
  })
}

t.test('a repeated signing header over real HTTP is refused, even an identical copy', async (t) => {
  const { app } = await buildApp(t)
  await insertDeveloper(app)
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `${baseUrl}/api/1.0/debug/echo`
  const signed = (nonce: string) => signedHeaders({ url: '/api/1.0/debug/echo', nonce })

  t.equal(await rawGet(url, signed('control')), 200, 'the control request is accepted')
  // Node keeps only the first of two Authorization headers; the verifier must still see both.
  for (const name of ['authorization', 'x-m-date']) {
    const headers: Record<string, string | string[]> = signed(`twice-${name}`)
    headers[name] = [headers[name] as string, headers[name] as string]
    t.equal(await rawGet(url, headers), 401, `${name} twice`)
  }
  t.equal(await app.db.signedNonce.count(), 1, 'only the control used a nonce')
})
