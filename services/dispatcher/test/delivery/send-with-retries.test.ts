import t from 'tap'
import type { DeviceTarget } from '../../src/delivery/resolve-devices.js'
import { retryDelayMs } from '../../src/delivery/retry-schedule.js'
import { sendWithRetries } from '../../src/delivery/send-with-retries.js'
import type { SendOutcome } from '../../src/senders/sender.js'

const policy = { maxAttempts: 4, baseDelayMs: 1000, maxDelayMs: 8000, retryAfterMaxMs: 60_000 }
const target = (id: number): DeviceTarget => ({ id: BigInt(id), token: `t${id}`, platform: 'APNS', environment: null })

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
  const outcomes = await sendWithRetries(prepared, [target(1), target(2)], { policy, validUntil: null, heartbeat: () => beats++, ...clock })
  t.same(outcomes.map((o) => [o.kind, o.attempts]), [['sent', 2], ['sent', 1]])
  t.same(calls.map((c) => c.tokens), [['t1', 't2'], ['t1']])
  t.ok(calls[1]!.at - calls[0]!.at >= 3000, 'second attempt no sooner than Retry-After')
  t.ok(beats > 0, 'heartbeat while waiting')
})

t.test('gives up after maxAttempts with the last reason', async (t) => {
  const clock = fakeClock()
  const prepared = { send: async (targets: DeviceTarget[]) => targets.map((): SendOutcome => ({ kind: 'retry', reason: 'ServiceUnavailable' })) }
  const [outcome] = await sendWithRetries(prepared, [target(1)], { policy, validUntil: null, heartbeat: () => {}, ...clock })
  t.equal(outcome!.kind, 'failed')
  t.equal(outcome!.attempts, 4)
  t.match(outcome!.kind === 'failed' && outcome!.reason, /ServiceUnavailable \(after 4 attempts\)/)
})

t.test('never retries past validUntil: the device is recorded expired', async (t) => {
  const clock = fakeClock()
  const validUntil = new Date(clock.now() + 2000)
  let calls = 0
  const prepared = { send: async (targets: DeviceTarget[]) => { calls++; return targets.map((): SendOutcome => ({ kind: 'retry', reason: 'TooManyRequests', retryAfterMs: 5000 })) } }
  const [outcome] = await sendWithRetries(prepared, [target(1)], { policy, validUntil, heartbeat: () => {}, ...clock })
  t.equal(outcome!.kind, 'expired')
  t.equal(calls, 1, 'no attempt after validUntil')
})

t.test('final outcomes pass straight through', async (t) => {
  const clock = fakeClock()
  const outcomes: SendOutcome[] = [{ kind: 'invalid-token', reason: 'Unregistered' }, { kind: 'credentials', reason: 'InvalidProviderToken' }, { kind: 'rejected', reason: 'PayloadTooLarge' }]
  const prepared = { send: async () => outcomes }
  const result = await sendWithRetries(prepared, [target(1), target(2), target(3)], { policy, validUntil: null, heartbeat: () => {}, ...clock })
  t.same(result.map((o) => o.kind), ['invalid-token', 'credentials', 'rejected'])
  t.same(clock.sleeps, [])
})

t.test("the provider's words travel beside the reason: to onRetry for each retried attempt, on the final outcome", async (t) => {
  const clock = fakeClock()
  const seen: Array<[string, number]> = []
  const prepared = { send: async (targets: DeviceTarget[]) => targets.map((): SendOutcome => ({ kind: 'retry', reason: 'HTTP 503', detail: 'upstream <b>text</b>' })) }
  const [outcome] = await sendWithRetries(prepared, [target(1)], {
    policy, validUntil: null, heartbeat: () => {}, ...clock, onRetry: (_target, retry, attempt) => seen.push([retry.detail ?? '', attempt])
  })
  t.same(seen, [['upstream <b>text</b>', 1], ['upstream <b>text</b>', 2], ['upstream <b>text</b>', 3]], 'told of every attempt but the last')
  t.same(outcome, { kind: 'failed', reason: 'HTTP 503 (after 4 attempts)', detail: 'upstream <b>text</b>', attempts: 4 })
})
