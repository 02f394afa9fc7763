import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { SigningError, createSignedClient, verifyRequest } from '../src/index.js'
import { KEY, SECRET, lookup } from './fixtures.js'

async function readBody (req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Verifies the request and echoes what it saw, or answers 401 with the error's code. */
async function answer (req: IncomingMessage, res: ServerResponse): Promise<void> {
  const rawBody = await readBody(req)
  try {
    const verified = await verifyRequest({ method: req.method ?? '', uri: req.url ?? '', headers: req.headers, rawBody }, lookup)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ ...verified, method: req.method, uri: req.url, body: rawBody.toString() }))
  } catch (error) {
    res.writeHead(error instanceof SigningError ? 401 : 500, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ code: error instanceof SigningError ? error.code : 'INTERNAL' }))
  }
}

async function startVerifyingServer (t: Test): Promise<string> {
  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => res.destroy(error as Error))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('the client\'s requests pass verification, with and without a body', async (t) => {
  const baseUrl = await startVerifyingServer(t)
  const client = createSignedClient({ baseUrl, key: KEY, secret: SECRET })

  const post = await client.request('post', '/api/1.0/push/alice@acme?priority=high', { message: 'Grüße ✓' })
  t.equal(post.status, 200)
  t.match(await post.json(), { key: KEY, method: 'POST', uri: '/api/1.0/push/alice@acme?priority=high', body: '{"message":"Grüße ✓"}' })

  const get = await client.request('GET', '/api/1.0/status')
  t.equal(get.status, 200)
  t.match(await get.json(), { key: KEY, method: 'GET', body: '' })
})

t.test('a base URL with a path prefix and a path needing encoding are signed as sent', async (t) => {
  const baseUrl = await startVerifyingServer(t)
  const client = createSignedClient({ baseUrl: `${baseUrl}/beacon/`, key: KEY, secret: SECRET })
  const response = await client.request('PATCH', '/push/a b?q=ü')
  t.equal(response.status, 200)
  t.match(await response.json(), { method: 'PATCH', uri: '/beacon/push/a%20b?q=%C3%BC' })
})

t.test('a client with the wrong secret or an unknown key is refused', async (t) => {
  const baseUrl = await startVerifyingServer(t)
  const wrongSecret = await createSignedClient({ baseUrl, key: KEY, secret: 'not-the-secret' }).request('POST', '/x', {})
  t.equal(wrongSecret.status, 401)
  t.same(await wrongSecret.json(), { code: 'SIGNING_SIGNATURE_MISMATCH' })
  const unknownKey = await createSignedClient({ baseUrl, key: 'nobody', secret: SECRET }).request('GET', '/x')
  t.equal(unknownKey.status, 401)
  t.same(await unknownKey.json(), { code: 'SIGNING_KEY_UNKNOWN' })
})

t.test('a path without a leading slash is a caller error', async (t) => {
  const client = createSignedClient({ baseUrl: 'http://127.0.0.1:1', key: KEY, secret: SECRET })
  await t.rejects(client.request('GET', 'status'), TypeError)
})
