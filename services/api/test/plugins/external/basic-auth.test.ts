import { connect } from 'node:net'
import t from 'tap'
import { authorization, buildApp, credentials } from '../../helper.js'

const wrong = `Basic ${Buffer.from(`${credentials.username}:not-the-password`).toString('base64')}`

// guarantee: auth-failure-limit, auth-failure-uncounted-without-credentials
t.test('after too many wrong passwords from an address, even the right one is refused (429) until the window ends', async (t) => {
  const { app, logs } = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '3' }, { captureLogs: true })
  const from = (address: string, header?: string) => app.inject({
    method: 'GET', url: '/admin/app/list', remoteAddress: address, ...(header === undefined ? {} : { headers: { authorization: header } })
  })
  for (let i = 0; i < 10; i++) t.equal((await from('198.51.100.7')).statusCode, 401, 'no credentials: asked for them, not counted')
  t.equal((await from('198.51.100.7', authorization)).statusCode, 200, 'so the right ones still pass')

  for (let i = 1; i <= 3; i++) t.equal((await from('198.51.100.7', wrong)).statusCode, 401, `wrong guess ${i}`)
  const refused = await from('198.51.100.7', authorization)
  t.equal(refused.statusCode, 429, 'the right password, after three wrong ones: refused without being compared')
  t.same(refused.json(), {
    status: 'ERROR',
    responseObject: { code: 'ERROR_TOO_MANY_REQUESTS', message: refused.json().responseObject.message }
  })
  t.match(refused.json().responseObject.message, /^too many failed authentication attempts from this address; retry in \d+ s$/)
  const wait = Number(refused.headers['retry-after'])
  t.ok(wait >= 1 && wait <= 60, `Retry-After: ${wait}`)
  t.equal((await from('198.51.100.7', wrong)).statusCode, 429, 'further guesses too')
  t.equal((await from('198.51.100.8', authorization)).statusCode, 200, 'another address is not affected')
  t.match(logs(), /admin credentials refused: too many failures from this address/)
  t.notMatch(logs(), /not-the-password/, 'the guesses are not logged')
})

t.test('an empty username or password is a wrong credential like any other', async (t) => {
  const { app } = await buildApp(t)
  const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`
  for (const [what, pair] of [
    ['an empty username with the password', `:${credentials.password}`],
    ['both empty', ':'],
    ['the username with an empty password', `${credentials.username}:`]
  ] as const) {
    const response = await app.inject({ method: 'GET', url: '/admin/app/list', headers: { authorization: basic(pair) } })
    t.equal(response.statusCode, 401, what)
    t.equal(response.json().responseObject.code, 'ERROR_UNAUTHORIZED', `${what}: refused as wrong credentials`)
  }
})

// guarantee: trust-proxy-named
t.test('X-Forwarded-For names the client only with TRUST_PROXY', async (t) => {
  const wrongFrom = (app: Awaited<ReturnType<typeof buildApp>>['app'], forwarded: string) => app.inject({
    method: 'GET', url: '/admin/app/list', remoteAddress: '10.0.0.1', headers: { authorization: wrong, 'x-forwarded-for': forwarded }
  })
  const direct = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '2' })
  // An attacker varying the header does not get a new budget per value.
  for (const forwarded of ['203.0.113.1', '203.0.113.2']) t.equal((await wrongFrom(direct.app, forwarded)).statusCode, 401)
  t.equal((await wrongFrom(direct.app, '203.0.113.3')).statusCode, 429, 'counted by the connection\'s address')

  const proxied = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '2', TRUST_PROXY: '10.0.0.0/8' })
  for (const forwarded of ['203.0.113.1', '203.0.113.1']) t.equal((await wrongFrom(proxied.app, forwarded)).statusCode, 401)
  t.equal((await wrongFrom(proxied.app, '203.0.113.1')).statusCode, 429, 'the client behind the trusted proxy is limited')
  t.equal((await wrongFrom(proxied.app, '203.0.113.2')).statusCode, 401, 'and only that client')
  // A client that writes a victim's address first cannot get it counted: the proxy appended the real one.
  t.equal((await wrongFrom(proxied.app, '203.0.113.9, 203.0.113.1')).statusCode, 429, 'the entry the proxy added is the one that counts')
  const victim = await proxied.app.inject({ method: 'GET', url: '/admin/app/list', remoteAddress: '10.0.0.1', headers: { authorization, 'x-forwarded-for': '203.0.113.9' } })
  t.equal(victim.statusCode, 200, 'the address the client wrote first is not locked out')
})

// guarantee: trust-proxy-named
t.test('TRUST_PROXY takes false or proxy addresses; true, a hop count and anything else are configuration errors', async (t) => {
  const { loadConfig } = await import('../../../src/config.js')
  const base = { DATABASE_URL: 'postgresql://x/y', MASTER_KEY: Buffer.alloc(32, 1).toString('base64'), AUTH_USERNAME: 'a', AUTH_PASSWORD: 'a-long-password' }
  t.same(loadConfig({ ...base }).trustProxy, false)
  t.throws(() => loadConfig({ ...base, TRUST_PROXY: 'true' }), /TRUST_PROXY must be false, or a comma-separated list .*true is refused/)
  // Fastify 5 trusts no proxy for a number: TRUST_PROXY=1 had every client share the proxy's address.
  for (const hops of ['1', '2']) t.throws(() => loadConfig({ ...base, TRUST_PROXY: hops }), /so is a number of proxies/, `${hops} refused`)
  t.same(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.1,::1' }).trustProxy, ['10.0.0.0/8', '192.168.1.1', '::1'])
  t.throws(() => loadConfig({ ...base, TRUST_PROXY: 'everyone' }), /TRUST_PROXY must be false, or a comma-separated list/)
  t.same(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy, false, 'false, as README writes it, is taken')
  t.same(loadConfig({ ...base, TRUST_PROXY: ' FALSE ' }).trustProxy, false, 'in any case and spacing')
  // Every entry must be an address or range: one name among them is not believed, nor a word around an address.
  for (const setting of ['10.0.0.1, true', '10.0.0.1, proxy-10.0.0.2', 'gateway.10.0.0.1', '10.0.0.0/8x']) {
    t.throws(() => loadConfig({ ...base, TRUST_PROXY: setting }), /TRUST_PROXY must be false, or a comma-separated list/, `${setting} refused`)
  }
  t.throws(() => loadConfig({ ...base, AUTH_FAILURES_PER_ADDRESS: '0' }), /AUTH_FAILURES_PER_ADDRESS must be an integer from 1/)
})

t.test('pipelined guesses on one connection are counted as they come: no more are compared than the limit', async (t) => {
  const { app } = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '3' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const request = (header: string, last = false) => `GET /admin/app/list HTTP/1.1\r\nHost: x\r\nAuthorization: ${header}\r\n${last ? 'Connection: close\r\n' : ''}\r\n`
  // 200 wrong guesses and then the right password, all in one write.
  const burst = Array.from({ length: 200 }, () => request(wrong)).join('') + request(authorization, true)
  const statuses = await new Promise<number[]>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1') })
    socket.on('end', () => resolve([...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]))))
    socket.on('error', reject)
    socket.write(burst)
  })
  t.equal(statuses.length, 201, 'every request answered')
  t.same(statuses.slice(0, 3), [401, 401, 401], 'the first three guesses compared')
  t.same([...new Set(statuses.slice(3))], [429], 'all the rest refused, the right password included')
})

t.test('the refusal lasts AUTH_FAILURE_WINDOW_SECONDS: a pause of a second does not end it', async (t) => {
  const { app } = await buildApp(t, { AUTH_FAILURES_PER_ADDRESS: '2', AUTH_FAILURE_WINDOW_SECONDS: '30' })
  const from = (header: string) => app.inject({ method: 'GET', url: '/admin/app/list', remoteAddress: '198.51.100.30', headers: { authorization: header } })
  for (let i = 1; i <= 2; i++) t.equal((await from(wrong)).statusCode, 401, `wrong guess ${i}`)
  // A guesser that waits a moment after each refusal must not get a new budget: the window is the rate.
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const refused = await from(authorization)
  t.equal(refused.statusCode, 429, 'the right password a second later: still refused')
  t.ok(Number(refused.headers['retry-after']) >= 25, `Retry-After: the rest of the 30 s window (${String(refused.headers['retry-after'])})`)
})
