import { test } from 'tap'
import { counter, createReadinessProbe, startOpsServer, startProcessMetrics } from '../src/index.js'

// guarantee: readiness-cause-logged-only, ops-listener-only-probes
test('the ops listener serves metrics, liveness and readiness, and nothing else', async (t) => {
  startProcessMetrics()
  const sent = counter({ name: 'beacon_test_ops_total', help: 'test', labelNames: ['outcome'] as const })
  sent.inc({ outcome: 'ok' }, 3)
  let databaseUp = true
  const ops = await startOpsServer({
    host: '127.0.0.1',
    port: 0,
    readiness: createReadinessProbe([
      { part: 'database', check: async () => { if (!databaseUp) throw new Error('connection refused to 10.0.0.5') } },
      { part: 'nats', check: async () => {} },
      { part: 'streams', check: () => new Promise(() => {}) } // never answers: times out
    ], { timeoutMs: 200, reuseMs: 0 })
  })
  t.teardown(() => ops.close())
  const base = `http://127.0.0.1:${ops.port}`

  const metrics = await fetch(`${base}/metrics`)
  t.equal(metrics.status, 200)
  t.match(metrics.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const text = await metrics.text()
  t.match(text, /beacon_test_ops_total\{outcome="ok"\} 3/)
  t.match(text, /nodejs_eventloop_lag_seconds/, 'process metrics are collected')

  t.same(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' })

  const stuck = await fetch(`${base}/readyz`)
  t.equal(stuck.status, 503)
  t.same(await stuck.json(), { status: 'unavailable', failing: ['streams'] }, 'a check that never answers fails after the timeout')

  databaseUp = false
  const down = await fetch(`${base}/readyz`)
  const body = await down.text()
  t.same(JSON.parse(body), { status: 'unavailable', failing: ['database', 'streams'] })
  t.notMatch(body, /10\.0\.0\.5|refused/, 'the failure itself is not shown to an unauthenticated caller')

  t.equal((await fetch(`${base}/push/service/status`)).status, 404)
  const post = await fetch(`${base}/metrics`, { method: 'POST' })
  t.equal(post.status, 405)
  t.equal(post.headers.get('allow'), 'GET, HEAD')
})

test('the same metric asked for twice is the same object (api and dispatcher in one process)', async (t) => {
  const first = counter({ name: 'beacon_test_twice_total', help: 'test' })
  const second = counter({ name: 'beacon_test_twice_total', help: 'test' })
  t.equal(first, second)
})

test('clients that trickle their headers neither lock the probes out nor stay for ever', async (t) => {
  const ops = await startOpsServer({ host: '127.0.0.1', port: 0, readiness: createReadinessProbe([]) })
  t.teardown(() => ops.close())
  const { connect } = await import('node:net')
  const sockets = Array.from({ length: 300 }, () => {
    const socket = connect(ops.port, '127.0.0.1')
    socket.on('error', () => {})
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n')
    return socket
  })
  t.teardown(() => { for (const socket of sockets) socket.destroy() })
  const drip = setInterval(() => { for (const socket of sockets) if (!socket.destroyed) socket.write('X-Slow: 1\r\n') }, 500)
  t.teardown(() => clearInterval(drip))
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal((await fetch(`http://127.0.0.1:${ops.port}/healthz`)).status, 200, 'a probe answers beside 300 trickling clients')
  const closed = await new Promise<boolean>((resolve) => {
    const deadline = setTimeout(() => resolve(false), 20_000)
    const poll = setInterval(() => {
      if (sockets.every((socket) => socket.destroyed || socket.readyState === 'closed')) { clearInterval(poll); clearTimeout(deadline); resolve(true) }
    }, 200)
  })
  t.ok(closed, 'the trickling clients are cut (headers timeout), not kept')
})

test('the ops listener binds the host it is given, nothing wider: a loopback one is out of the network\'s reach', async (t) => {
  const ops = await startOpsServer({ host: '127.0.0.2', port: 0, readiness: createReadinessProbe([]) })
  t.teardown(() => ops.close())
  t.equal((await fetch(`http://127.0.0.2:${ops.port}/healthz`)).status, 200)
  const { connect } = await import('node:net')
  const elsewhere = await new Promise<string>((resolve) => {
    const socket = connect(ops.port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve('connected') })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
  })
  t.equal(elsewhere, 'ECONNREFUSED', 'another address of the machine does not reach it')
})

test('HEAD and a query string are answered as GET; no answer may be cached', async (t) => {
  const ops = await startOpsServer({ host: '127.0.0.1', port: 0, readiness: createReadinessProbe([{ part: 'database', check: async () => { throw new Error('down') } }], { reuseMs: 0 }) })
  t.teardown(() => ops.close())
  const base = `http://127.0.0.1:${ops.port}`
  const head = await fetch(`${base}/healthz`, { method: 'HEAD' })
  t.equal(head.status, 200, 'HEAD /healthz')
  t.equal(await head.text(), '', 'without a body')
  t.equal((await fetch(`${base}/readyz`, { method: 'HEAD' })).status, 503, 'HEAD /readyz tells the readiness too')
  t.equal((await fetch(`${base}/healthz?probe=kubelet`)).status, 200, 'a query string does not change the route')
  t.equal((await fetch(`${base}/metrics?x=1`)).status, 200)
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    t.equal((await fetch(`${base}${path}`)).headers.get('cache-control'), 'no-store', `${path}: a proxy or cache must not answer in its place`)
  }
})
