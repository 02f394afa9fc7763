import { signAsDeveloper, type DeveloperSignedHeaders } from '@beacon/testkit'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { buildApp } from '../../helper.js'
import { parseResponse, rawConnection } from '../../raw-http.js'
import { KEY, SECRET, insertDeveloper, signedInject } from './signing-fixtures.js'
import { ECHO, HOLD_MS, OVER, headerLines, seen, smallLimitApp } from './small-limit-app.js'

// What a caller without the secret can make of a body the signature has not proven yet: a wait,
// a body over the limit on a path no route has, a body never sent.

// guarantee: signed-unknown-key-waits-for-body
t.test('without Content-MD5, an unknown key waits for its body as a known key must: the wait tells no key from another', async (t) => {
  const { port, lastRefusal } = await smallLimitApp(t)
  const body = JSON.stringify({ content: 'x'.repeat(3000) })
  // What a caller without the secret can send: a guessed signature, no Content-MD5 (the head then
  // proves nothing, and a known key's request is only judged on its body). Kept alive: the
  // server's own Connection header is compared.
  const attempt = async (key: string, path: string) => {
    const signed = signAsDeveloper({ method: 'POST', uri: path, body, contentType: 'application/json', key, secret: 'a-guessed-secret' })
    const connection = rawConnection(port)
    connection.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headerLines({ ...signed, 'Content-MD5': undefined })}\r\n`)
    await sleep(HOLD_MS)
    const answeredEarly = connection.received() !== ''
    if (!connection.socket.destroyed) connection.socket.write(body)
    await connection.answered
    connection.socket.destroy()
    return { answeredEarly, answer: seen(parseResponse(connection.received())) }
  }
  for (const path of [ECHO, '/api/1.0/no-such-route']) {
    const known = await attempt(KEY, path)
    t.equal(lastRefusal(), 'SIGNING_SIGNATURE_MISMATCH', `${path}, a known key: refused for its signature`)
    const unknown = await attempt('nobody-0123456789', path)
    t.equal(lastRefusal(), 'SIGNING_KEY_UNKNOWN', `${path}, an unknown key: refused for its key`)
    t.equal(known.answeredEarly, false, `${path}, a known key: no answer before the body`)
    t.equal(unknown.answeredEarly, false, `${path}, an unknown key: no answer before the body either`)
    t.equal(known.answer[0], 401, `${path}: 401`)
    t.equal(known.answer[2], 'close', `${path}: the refusal closes the connection`)
    t.same(unknown.answer, known.answer, `${path}: the same answer, to the Connection header`)
  }
})

// guarantee: signed-body-limit-404
t.test('a path under the signed prefix that no route has holds its body to the signed limit too', async (t) => {
  const { port } = await smallLimitApp(t)
  const path = '/api/1.0/no-such-route'
  // Chunked (no length to refuse from the head), and never ended: only a server that stops reading
  // at the limit answers. Fastify gave the not-found handler the server-wide limit (5 MiB).
  const overLimit = async (headers: Record<string, string | undefined> | DeveloperSignedHeaders) => {
    const connection = rawConnection(port)
    connection.socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n${headerLines(headers)}\r\n` +
      `${Buffer.byteLength(OVER).toString(16)}\r\n${OVER}\r\n`)
    const answered = await connection.answeredWithin(5000)
    connection.socket.destroy()
    return answered ? seen(parseResponse(connection.received())) : undefined
  }
  const sign = (key: string, secret: string) => signAsDeveloper({ method: 'POST', uri: path, body: OVER, contentType: 'application/json', key, secret })
  const known = await overLimit({ ...sign(KEY, 'a-guessed-secret'), 'Content-MD5': undefined })
  t.same(known?.[0], 401, 'a known key without Content-MD5: answered once past the limit, as unsigned')
  t.same(await overLimit({ ...sign('nobody-0123456789', 'a-guessed-secret'), 'Content-MD5': undefined }), known, 'an unknown key: the same answer')
  const proven = await overLimit(sign(KEY, SECRET))
  t.same(proven?.[0], 413, 'a head proven by its Content-MD5: 413, as on a route')
})

// guarantee: signed-body-limit-404
t.test('a GET under the signed prefix to a path no route has, with a body Fastify never reads: the connection goes on', async (t) => {
  const { port } = await smallLimitApp(t)
  const path = '/api/1.0/no-such-route'
  // Signed over no body (Fastify reads none for a GET), verified, so answered 404 and kept alive;
  // Node then discards the unread 40 KiB before the next request on the connection. Chunked: a
  // declared length over the limit is a 413 from the head.
  const signed = signAsDeveloper({ method: 'GET', uri: path, body: '', key: KEY, secret: SECRET })
  const connection = rawConnection(port)
  connection.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n${headerLines(signed)}\r\n` +
    `${(40 * 1024).toString(16)}\r\n${'x'.repeat(40 * 1024)}\r\n0\r\n\r\n` +
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')
  const statuses = () => [...connection.received().matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]))
  await connection.closedWithin(5000)
  connection.socket.destroy()
  t.same(statuses(), [404, 200], 'the 404, then the next request\'s answer on the same connection')
})

t.test('a body never sent, cut at REQUEST_TIMEOUT_MS, counts against the address as a wrong key does (SECURITY.md)', async (t) => {
  const { app } = await buildApp(t, { REQUEST_TIMEOUT_MS: '1000', AUTH_FAILURES_PER_ADDRESS: '1' })
  await insertDeveloper(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  t.equal((await signedInject(app, { url: ECHO })).statusCode, 200, 'the address starts with no failure')
  const signed = signAsDeveloper({ method: 'POST', uri: ECHO, body: '{}', contentType: 'application/json', key: 'nobody-0123456789', secret: 'a-guessed-secret' })
  const connection = rawConnection(port)
  connection.socket.write(`POST ${ECHO} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n${headerLines({ ...signed, 'Content-MD5': undefined })}\r\n`)
  await connection.closedWithin(10_000)
  connection.socket.destroy()
  let status = 0
  for (let tries = 0; tries < 50 && status !== 429; tries++) {
    status = (await signedInject(app, { url: ECHO })).statusCode
    if (status !== 429) await sleep(100)
  }
  t.equal(status, 429, 'the cut request was counted: the next, correctly signed, is refused')
})
