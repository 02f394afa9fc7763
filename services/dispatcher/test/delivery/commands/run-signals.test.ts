import { getEventListeners } from 'node:events'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import type { Health } from '../../../src/health.js'
import { CommandRun } from '../../../src/delivery/commands/run.js'
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
    const run = new CommandRun(delivery(n), health, stopping.signal, new Promise(() => {}))
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

  const live = new CommandRun(delivery(1001), health, stopping.signal, new Promise(() => {}))
  const other = new CommandRun(delivery(1002), health, stopping.signal, new Promise(() => {}))
  other.overtake()
  t.ok(other.stopping, 'overtaken: its own signal aborted')
  t.notOk(live.stopping, 'another run is not')
  stopping.abort()
  t.ok(live.stopping, 'the dispatcher\'s stop reaches a live run')
  const late = new CommandRun(delivery(1003), health, stopping.signal, new Promise(() => {}))
  t.ok(late.stopping, 'a run begun after the stop is stopping from the start')
})
