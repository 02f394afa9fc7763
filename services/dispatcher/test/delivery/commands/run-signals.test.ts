import { getEventListeners } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import type { Health } from '../../../src/health.js'
import type { Deadline } from '../../../src/delivery/commands/deadline.js'
import { createDeadline } from '../../../src/delivery/commands/deadline.js'
import { CommandRun, createStopping } from '../../../src/delivery/commands/run.js'
import { SendSlots } from '../../../src/delivery/sends/send-slots.js'
import { sendWithRetries } from '../../../src/delivery/sends/send-with-retries.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'

const delivery = (n: number) => ({ command: { kind: 'message', messageId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` }, deliveryCount: 1 }) as never
const health = {} as Health
const target = (id: number): DeviceTarget => ({ id: BigInt(id), token: `t${id}`, platform: 'APNS', environment: null })

// A dispatcher runs for weeks: what its runs leave on its one stop signal stays until it stops.
// (On Node 20 AbortSignal.any kept every run's signal and listeners there: a 100,000-user
// campaign ran a 96 MB dispatcher out of memory.)
t.test('ended runs leave nothing on the dispatcher-wide stop signal; a stop still reaches a live run, and an overtake only its own', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const stopping = new AbortController()
  const signals: Array<WeakRef<AbortSignal>> = []
  let unsent = 0
  let held = 0
  for (let n = 0; n < 1000; n++) {
    const run = new CommandRun(delivery(n), health, stopping.signal, createDeadline())
    signals.push(new WeakRef(run.signal))
    const sent = await sendWithRetries({ send: async (targets) => targets.map(() => ({ kind: 'sent' as const })) }, [target(1), target(2)], {
      policy: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 10, retryAfterMaxMs: 10 },
      validUntil: null,
      heartbeat: () => {},
      slots: new SendSlots(4),
      claim: async (window) => window,
      signal: run.signal
    })
    if (sent.outcomes.size !== 2) unsent++
    if (getEventListeners(run.signal, 'abort').length > 0) held++
    // A listener nobody removes, as any code may leave on a run's signal: it must go with the run.
    run.signal.addEventListener('abort', () => {})
    run.end()
  }
  t.equal(unsent, 0, 'every send answered')
  t.equal(held, 0, 'the send loop let go of each run\'s signal')
  t.equal(getEventListeners(stopping.signal, 'abort').length, 0, 'no listener of 1,000 ended runs is left')
  await new Promise((resolve) => setTimeout(resolve, 10))
  gc()
  const alive = signals.filter((signal) => signal.deref() !== undefined).length
  t.ok(alive < 10, `the ended runs' signals are collected while the dispatcher runs (${alive} of 1,000 still alive)`)

  const live = new CommandRun(delivery(1001), health, stopping.signal, createDeadline())
  const other = new CommandRun(delivery(1002), health, stopping.signal, createDeadline())
  other.overtake()
  t.ok(other.stopping, 'overtaken: its own signal aborted')
  t.notOk(live.stopping, 'another run is not')
  stopping.abort()
  t.ok(live.stopping, 'the dispatcher\'s stop reaches a live run')
  const late = new CommandRun(delivery(1003), health, stopping.signal, createDeadline())
  t.ok(late.stopping, 'a run begun after the stop is stopping from the start')
})

// Node's leak warning on an AbortSignal comes at its 11th listener; a dispatcher holds 16 campaign
// chunks by default, each run listening to the stop signal: every busy dispatcher printed it.
t.test('the stop signal takes a listener per command in hand without a leak warning, and warns past that', async (t) => {
  const warnings: Error[] = []
  const onWarning = (warning: Error) => { if (warning.name === 'MaxListenersExceededWarning') warnings.push(warning) }
  process.on('warning', onWarning)
  t.teardown(() => { process.off('warning', onWarning) })
  const turn = () => new Promise((resolve) => setImmediate(resolve))
  const stopping = createStopping(16)
  const runs = Array.from({ length: 16 }, (_, n) => new CommandRun(delivery(3000 + n), health, stopping.signal, createDeadline()))
  await turn()
  t.equal(warnings.length, 0, '16 commands in hand: no warning')
  runs.push(new CommandRun(delivery(3016), health, stopping.signal, createDeadline()))
  await turn()
  t.equal(warnings.length, 1, 'a 17th listener, more than commands can be in hand, still warns')
  for (const run of runs) run.end()
  t.equal(getEventListeners(stopping.signal, 'abort').length, 0)
})

t.test('held steps leave nothing on the deadline or the health: none per step, none after an outage', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const base = createDeadline()
  let listening = 0
  const deadline: Deadline = {
    get passed () { return base.passed },
    reached: base.reached,
    onReached (listener) { listening++; const stop = base.onReached(listener); return () => { listening--; stop() } }
  }
  let healthListeners = 0
  const watched = {
    down: () => {},
    up: () => {},
    // The part comes back soon after: the held step is woken by that, not by its backoff timer.
    onChange: (listener: () => void) => {
      healthListeners++
      const back = setTimeout(listener, 10)
      return () => { healthListeners--; clearTimeout(back) }
    }
  } as unknown as Health
  const stopping = new AbortController()
  const run = new CommandRun(delivery(2000), watched, stopping.signal, deadline)
  // One step that meets an outage (the database refused) and then succeeds.
  let calls = 0
  t.equal(await run.hold(async () => { if (calls++ === 0) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); return 'ok' }), 'ok')
  t.equal(calls, 2, 'held through the outage, tried again')
  t.equal(listening, 0, 'the pause let go of the deadline')
  t.equal(healthListeners, 0, 'and of the health')

  // Steps without an outage, as every message makes several: nothing kept per step.
  gc()
  const before = process.memoryUsage().heapUsed
  for (let n = 0; n < 100_000; n++) await run.hold(async () => n)
  gc()
  const grownMb = (process.memoryUsage().heapUsed - before) / 1e6
  t.ok(grownMb < 5, `100,000 held steps keep nothing (${grownMb.toFixed(1)} MB; a reaction on the deadline each kept ~40 MB)`)
  run.end()
})
