import t from 'tap'
import { loadConfig } from '../../../src/config.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { retryDelayMs } from '../../../src/delivery/sends/retry-schedule.js'
import { SendSlots } from '../../../src/delivery/sends/send-slots.js'
import { sendWithRetries, type RetryContext } from '../../../src/delivery/sends/send-with-retries.js'
import type { SendOutcome } from '../../../src/senders/sender.js'

const policy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, retryAfterMaxMs: 60_000 }
const DAY_MS = 86_400_000
const device: DeviceTarget = { id: 1n, token: 't1', platform: 'FCM', environment: null }

/** Sends `device` alone through sendWithRetries (one slot, every claim granted); its final outcome. */
async function sendOne (provider: { send: (targets: DeviceTarget[]) => Promise<SendOutcome[]> }, context: Pick<RetryContext, 'validUntil' | 'now' | 'sleep'>) {
  const report = await sendWithRetries(provider, [device], {
    policy, heartbeat: () => {}, slots: new SendSlots(1), claim: async (window) => window, ...context
  })
  return report.outcomes.get(device)
}

/** A clock that only moves when the code under test sleeps. */
function fakeClock (start = 1_000_000) {
  let now = start
  return { now: () => now, sleep: async (ms: number) => { now += ms } }
}

/** A provider that always answers `Retry-After: 86400`; the times of the attempts it saw. */
function throttling (clock: { now: () => number }) {
  const attempts: number[] = []
  return {
    attempts,
    send: async (targets: DeviceTarget[]) => {
      attempts.push(clock.now())
      return targets.map((): SendOutcome => ({ kind: 'retry', reason: 'QUOTA_EXCEEDED', retryAfterMs: DAY_MS }))
    }
  }
}

// guarantee: retry-after-cap
t.test('Retry-After is a floor up to retryAfterMaxMs', async (t) => {
  t.equal(retryDelayMs(policy, 1, 30_000, () => 1), 30_000, 'under the cap it is obeyed')
  t.equal(retryDelayMs(policy, 1, DAY_MS, () => 1), 60_000, 'a day is capped')
  t.equal(retryDelayMs({ ...policy, retryAfterMaxMs: 5000 }, 4, DAY_MS, () => 1), 8000, 'the backoff still applies when it is longer than the cap')
})

// guarantee: retry-after-cap
t.test('a Retry-After storm: every attempt is made, each after the capped wait, and the device ends failed', async (t) => {
  const clock = fakeClock()
  const provider = throttling(clock)
  const outcome = await sendOne(provider, { validUntil: null, ...clock })
  t.match(outcome, { kind: 'failed', attempts: 3 })
  t.equal(provider.attempts.length, 3)
  const waits = provider.attempts.slice(1).map((at, index) => at - provider.attempts[index]!)
  t.same(waits, [60_000, 60_000], 'a minute between attempts, not a day')
})

// guarantee: retry-after-cap
t.test('the capped wait still never passes validUntil: a device whose next attempt would is expired', async (t) => {
  const clock = fakeClock()
  const provider = throttling(clock)
  const validUntil = new Date(clock.now() + 30_000)
  const outcome = await sendOne(provider, { validUntil, ...clock })
  t.match(outcome, { kind: 'expired', attempts: 1, reason: /QUOTA_EXCEEDED/ })
  t.equal(provider.attempts.length, 1, 'no attempt at or after validUntil')

  // Control: with validUntil beyond the capped wait the second attempt is made.
  const later = fakeClock()
  const patient = throttling(later)
  await sendOne(patient, { validUntil: new Date(later.now() + 90_000), ...later })
  t.equal(patient.attempts.length, 2)
})

t.test('RETRY_AFTER_MAX_MS: 60000 by default, validated', async (t) => {
  const base = { DATABASE_URL: 'postgresql://localhost/x', MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }
  t.equal(loadConfig(base).retry.retryAfterMaxMs, 60_000)
  t.equal(loadConfig({ ...base, RETRY_AFTER_MAX_MS: '300000' }).retry.retryAfterMaxMs, 300_000)
  for (const bad of ['0', '999', 'soon', '3600001']) {
    t.throws(() => loadConfig({ ...base, RETRY_AFTER_MAX_MS: bad }), /RETRY_AFTER_MAX_MS/, bad)
  }
})

t.test('the default send backoff per attempt: 1 s doubling to 60 s, each between half and all of it', async (t) => {
  const defaults = loadConfig({ DATABASE_URL: 'postgresql://localhost/x', MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }).retry
  const least = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => retryDelayMs(defaults, attempt, undefined, () => 0))
  const most = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => retryDelayMs(defaults, attempt, undefined, () => 1 - Number.EPSILON / 2))
  t.same(least, [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
  t.same(most, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000])
  for (let draw = 0; draw < 500; draw++) {
    const attempt = 1 + (draw % 8)
    const delay = retryDelayMs(defaults, attempt)
    if (delay < least[attempt - 1]! || delay > most[attempt - 1]!) t.fail(`attempt ${attempt}: ${delay}`)
  }
})
