import t from 'tap'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { retryDelayMs } from '../../../src/delivery/sends/retry-schedule.js'
import { SendSlots } from '../../../src/delivery/sends/send-slots.js'
import { sendWithRetries, type FinalOutcome, type RetryContext } from '../../../src/delivery/sends/send-with-retries.js'
import type { SendOutcome } from '../../../src/senders/sender.js'

const policy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000, retryAfterMaxMs: 60_000 }
const target = (id: number): DeviceTarget => ({ id: BigInt(id), token: `t${id}`, platform: 'APNS', environment: null })

const claimAll = { slots: new SendSlots(16), claim: async (window: DeviceTarget[]) => window }
/** The outcomes in the targets' order. */
const send = async (prepared: { send (targets: DeviceTarget[]): Promise<SendOutcome[]> }, targets: DeviceTarget[], context: Omit<RetryContext, 'slots' | 'claim'>): Promise<FinalOutcome[]> => {
  const report = await sendWithRetries(prepared, targets, { ...claimAll, ...context })
  return targets.map((target) => report.outcomes.get(target)!)
}

/** A clock that only moves when the code under test sleeps. */
function fakeClock (start = 1_000_000) {
  let now = start
  const sleeps: number[] = []
  return { now: () => now, sleep: async (ms: number) => { sleeps.push(ms); now += ms }, sleeps }
}

t.test('delay doubles per attempt with jitter in [half, full], capped, and never below Retry-After', async (t) => {
  t.equal(retryDelayMs(policy, 1, undefined, () => 0), 500)
  t.equal(retryDelayMs(policy, 1, undefined, () => 1), 1000)
  t.equal(retryDelayMs(policy, 3, undefined, () => 1), 4000)
  t.equal(retryDelayMs(policy, 10, undefined, () => 1), 8000, 'capped at maxDelayMs')
  t.equal(retryDelayMs(policy, 1, 30_000, () => 1), 30_000, 'Retry-After wins, even past the cap')
})

t.test('transient failures are retried until success, waiting as the provider asked', async (t) => {
  const clock = fakeClock()
  const script: Record<string, SendOutcome[]> = {
    t1: [{ kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 3000 }, { kind: 'sent' }],
    t2: [{ kind: 'sent' }]
  }
  const calls: Array<{ at: number, tokens: string[] }> = []
  const prepared = {
    async send (targets: DeviceTarget[]) {
      calls.push({ at: clock.now(), tokens: targets.map((x) => x.token) })
      return targets.map((x) => script[x.token]!.shift()!)
    }
  }
  let beats = 0
  const outcomes = await send(prepared, [target(1), target(2)], { policy, validUntil: null, heartbeat: () => beats++, ...clock })
  t.same(outcomes.map((o) => [o.kind, o.attempts]), [['sent', 2], ['sent', 1]])
  t.same(calls.map((c) => c.tokens), [['t1'], ['t2'], ['t1']], 'one request per device')
  t.ok(calls[2]!.at - calls[0]!.at >= 3000, 'second attempt no sooner than Retry-After')
  t.ok(beats > 0, 'heartbeat while waiting')
})

t.test('gives up after maxAttempts with the last reason', async (t) => {
  const clock = fakeClock()
  const prepared = { send: async (targets: DeviceTarget[]) => targets.map((): SendOutcome => ({ kind: 'retry', reason: 'ServiceUnavailable' })) }
  const [outcome] = await send(prepared, [target(1)], { policy, validUntil: null, heartbeat: () => {}, ...clock })
  t.equal(outcome!.kind, 'failed')
  t.equal(outcome!.attempts, 4)
  t.match(outcome!.kind === 'failed' && outcome!.reason, /ServiceUnavailable \(after 4 attempts\)/)
})

t.test('never retries past validUntil: the device is recorded expired', async (t) => {
  const clock = fakeClock()
  const validUntil = new Date(clock.now() + 2000)
  let calls = 0
  const prepared = { send: async (targets: DeviceTarget[]) => { calls++; return targets.map((): SendOutcome => ({ kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 5000 })) } }
  const [outcome] = await send(prepared, [target(1)], { policy, validUntil, heartbeat: () => {}, ...clock })
  t.equal(outcome!.kind, 'expired')
  t.equal(calls, 1, 'no attempt after validUntil')
})

t.test('final outcomes pass straight through', async (t) => {
  const clock = fakeClock()
  const outcomes: Record<string, SendOutcome> = { t1: { kind: 'invalid-token', reason: 'Unregistered' }, t2: { kind: 'credentials', reason: 'InvalidProviderToken' }, t3: { kind: 'rejected', reason: 'PayloadTooLarge' } }
  const prepared = { send: async (targets: DeviceTarget[]) => targets.map((x) => outcomes[x.token]!) }
  const result = await send(prepared, [target(1), target(2), target(3)], { policy, validUntil: null, heartbeat: () => {}, ...clock })
  t.same(result.map((o) => o.kind), ['invalid-token', 'credentials', 'rejected'])
  t.same(clock.sleeps, [])
})

t.test("the provider's words travel beside the reason: to onRetry for each retried attempt, on the final outcome", async (t) => {
  const clock = fakeClock()
  const seen: Array<[string, number]> = []
  const prepared = { send: async (targets: DeviceTarget[]) => targets.map((): SendOutcome => ({ kind: 'retry', reason: 'HTTP 503', detail: 'upstream <b>text</b>' })) }
  const [outcome] = await send(prepared, [target(1)], {
    policy, validUntil: null, heartbeat: () => {}, ...clock, onRetry: (_target, retry, attempt) => seen.push([retry.detail ?? '', attempt])
  })
  t.same(seen, [['upstream <b>text</b>', 1], ['upstream <b>text</b>', 2], ['upstream <b>text</b>', 3]], 'told of every attempt but the last')
  t.same(outcome, { kind: 'failed', reason: 'HTTP 503 (after 4 attempts)', detail: 'upstream <b>text</b>', attempts: 4 })
})

// guarantee: claims-follow-attempts
t.test('devices are claimed a window ahead of their slots: never more claimed and unanswered than the slots plus one window', async (t) => {
  const slots = new SendSlots(16)
  const windows: number[] = []
  let unanswered = 0
  let most = 0
  const answers: Array<() => void> = []
  const prepared = {
    send: (targets: DeviceTarget[]) => new Promise<SendOutcome[]>((resolve) => {
      answers.push(() => { unanswered -= targets.length; resolve(targets.map((): SendOutcome => ({ kind: 'sent' }))) })
    })
  }
  const targets = Array.from({ length: 40 }, (_, i) => target(i + 1))
  // Every other device of the first window was claimed by someone else meanwhile.
  const claim = async (window: DeviceTarget[]) => {
    windows.push(window.length)
    const mine = windows.length === 1 ? window.filter((x) => x.id % 2n === 0n) : window
    unanswered += mine.length
    most = Math.max(most, unanswered)
    return mine
  }
  const state = { done: false }
  const running = sendWithRetries(prepared, targets, { policy, validUntil: null, heartbeat: () => {}, slots, claim }).finally(() => { state.done = true })
  // The provider answers slowly: one request per turn of the event loop.
  while (!state.done) {
    answers.shift()?.()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const report = await running
  t.same([...new Set(windows)], [slots.batch], `windows of ${slots.batch} devices (the slots / 8)`)
  t.ok(most <= 16 + slots.batch, `at most 16 + ${slots.batch} claimed and unanswered (saw ${most})`)
  t.equal(report.outcomes.size, 39)
  t.same(report.unclaimed.map((x) => Number(x.id)), [1], 'a device claimed by someone else is left to them')
})

t.test('stopping: no new window or retry; requests on the wire are awaited; claims not on the wire are reported for release', async (t) => {
  const stop = new AbortController()
  const slots = new SendSlots(2)
  let release: () => void = () => {}
  const wire = new Promise<void>((resolve) => { release = resolve })
  const prepared = {
    async send (targets: DeviceTarget[]): Promise<SendOutcome[]> {
      await wire
      return [targets[0]!.token === 't1' ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'sent' }]
    }
  }
  const claimed: bigint[] = []
  const running = sendWithRetries(prepared, [target(1), target(2), target(3), target(4)], {
    policy, validUntil: null, heartbeat: () => {}, slots, claim: async (window) => { claimed.push(...window.map((x) => x.id)); return window }, signal: stop.signal
  })
  // Two on the wire (every slot), the third claimed ahead.
  while (claimed.length < 3) await new Promise((resolve) => setImmediate(resolve))
  stop.abort()
  release()
  const report = await running
  t.same(claimed, [1n, 2n, 3n], 'the fourth device was never claimed')
  t.ok(report.interrupted)
  t.same(report.waiting.map((x) => x.id).sort(), [1n, 3n], 'to release: the device claimed ahead and the one waiting for a retry')
  t.same(report.unclaimed.map((x) => x.id), [4n])
  t.same([...report.outcomes].map(([x, outcome]) => [x.id, outcome.kind]), [[2n, 'sent']], 'the request on the wire was awaited')
})

t.test('a stop wakes a loop with nothing on the wire (a device waiting for its retry): the report comes at once, the device waiting', async (t) => {
  const stop = new AbortController()
  let answered = false
  const prepared = {
    send: async (targets: DeviceTarget[]): Promise<SendOutcome[]> => {
      answered = true
      return targets.map((): SendOutcome => ({ kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 50_000 }))
    }
  }
  let parked: () => void = () => {}
  const turns = new Promise<void>((resolve) => { parked = resolve })
  // Real timers: the loop sleeps toward the retry (at most 5 s per turn); only the stop can end it sooner.
  const running = sendWithRetries(prepared, [target(1)], {
    policy,
    validUntil: null,
    // The turn after the answer: nothing left to claim, send or await but the retry's time.
    heartbeat: () => { if (answered) setImmediate(parked) },
    slots: new SendSlots(4),
    claim: async (window) => window,
    signal: stop.signal
  })
  await turns // the loop reached its wait: the device answered "retry", nothing in flight
  stop.abort()
  const report = await Promise.race([running, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 4000))])
  t.not(report, 'still waiting', 'the stop ended the wait, not the retry timer')
  if (report === 'still waiting') return
  t.equal(report.interrupted, true)
  t.same(report.waiting.map((x) => Number(x.id)), [1], 'the device waiting for its retry is reported for release')
  t.equal(report.outcomes.size, 0)
})
