import t from 'tap'
import { createReadinessProbe } from '../src/index.js'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// guarantee: readyz-bounded-cost
t.test('one answer serves every probe for reuseMs: a burst of probes is one check per part', async (t) => {
  let asked = 0
  const probe = createReadinessProbe([{ part: 'database', check: async () => { asked++ } }], { reuseMs: 60_000 })
  const answers = await Promise.all(Array.from({ length: 200 }, () => probe.answer()))
  t.ok(answers.every(({ statusCode }) => statusCode === 200))
  t.equal(asked, 1, '200 probes at once: one query')
  for (let n = 0; n < 50; n++) await probe.check()
  t.equal(asked, 1, 'and the probes after it within reuseMs: none')
})

// guarantee: readyz-bounded-cost
t.test('a check that hangs is awaited again, never started twice: a stuck database holds one connection', async (t) => {
  let started = 0
  let release: () => void = () => {}
  const probe = createReadinessProbe([{ part: 'database', check: () => { started++; return started > 1 ? Promise.resolve() : new Promise<void>((resolve) => { release = resolve }) } }], { timeoutMs: 20, reuseMs: 0, staleMs: 60_000 })
  for (let n = 0; n < 10; n++) t.same(await probe.check(), { ready: false, failing: ['database'] })
  t.equal(started, 1, 'ten probes past their timeout: the hung check was started once')
  release()
  await pause(5)
  t.same(await probe.check(), { ready: true, failing: [] }, 'once it answers, the next probe starts a fresh check')
  t.equal(started, 2)
})

t.test('a check older than staleMs is no longer awaited: a check that never settles cannot pin the answer', async (t) => {
  let started = 0
  const probe = createReadinessProbe([{ part: 'database', check: () => { started++; return started === 1 ? new Promise(() => {}) : Promise.resolve() } }], { timeoutMs: 20, reuseMs: 0, staleMs: 50 })
  t.same(await probe.check(), { ready: false, failing: ['database'] })
  await pause(80) // past staleMs
  t.same(await probe.check(), { ready: true, failing: [] }, 'a fresh check was started and answered')
  t.equal(started, 2)
})

// guarantee: readiness-cause-logged-only
t.test('a change of state is logged once with its cause; the answer names only the part', async (t) => {
  const lines: Array<{ level: string, details: unknown, message?: string }> = []
  const log = {
    warn: (details: object, message: string) => { lines.push({ level: 'warn', details, message }) },
    info: (details: object | string, message?: string) => { lines.push({ level: 'info', details, message }) }
  }
  let up = true
  const probe = createReadinessProbe([{ part: 'nats', check: async () => { if (!up) throw new Error('connection refused to 10.0.0.9') } }], { reuseMs: 0, log })
  await probe.check()
  t.same(lines, [], 'ready from the start: nothing to say')
  up = false
  const down = await probe.answer()
  await probe.answer()
  t.same(down, { statusCode: 503, body: { status: 'unavailable', failing: ['nats'] } })
  t.equal(lines.length, 1, 'logged once while it stays down')
  t.match(lines[0], { level: 'warn', message: 'not ready', details: { failing: ['nats'], causes: { nats: /10\.0\.0\.9/ } } })
  up = true
  await probe.check()
  t.match(lines[1], { level: 'info', message: 'ready again' })
})
