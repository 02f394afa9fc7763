import t from 'tap'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { SendSlots } from '../../../src/delivery/sends/send-slots.js'
import { sendWithRetries } from '../../../src/delivery/sends/send-with-retries.js'
import type { SendOutcome } from '../../../src/senders/sender.js'

// onOnlyAnswersLeft lets a campaign chunk leave its sending place (handle-command.ts) while the
// answers to its last requests are still to come.
const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, retryAfterMaxMs: 60_000 }
const target = (id: number): DeviceTarget => ({ id: BigInt(id), token: `t${id}`, platform: 'APNS', environment: null })
const turn = () => new Promise((resolve) => setImmediate(resolve))

/** A provider that answers only when told: each request's answer waits in `pending`. */
function heldProvider (answer: (token: string, attempt: number) => SendOutcome) {
  const pending: Array<() => void> = []
  const attempts = new Map<string, number>()
  const prepared = {
    send: (targets: DeviceTarget[]) => new Promise<SendOutcome[]>((resolve) => {
      const token = targets[0]!.token
      const attempt = (attempts.get(token) ?? 0) + 1
      attempts.set(token, attempt)
      pending.push(() => { resolve([answer(token, attempt)]) })
    })
  }
  return { prepared, pending, requests: () => [...attempts.values()].reduce((a, b) => a + b, 0) }
}

/** `targets` sent through `provider` with `slots` slots, every window claimed; `told` is onOnlyAnswersLeft. */
function sendThrough (provider: ReturnType<typeof heldProvider>, targets: DeviceTarget[], slots: number, told: () => void, signal?: AbortSignal) {
  return sendWithRetries(provider.prepared, targets, {
    policy, validUntil: null, heartbeat: () => {}, slots: new SendSlots(slots), claim: async (window) => window, onOnlyAnswersLeft: told, ...(signal === undefined ? {} : { signal })
  })
}

t.test('called once, as soon as every device is claimed and on the wire, before any answer; not again for a retry asked for later', async (t) => {
  const provider = heldProvider((token, attempt) => (token === 't1' && attempt === 1 ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'sent' }))
  const seen: number[] = []
  const running = sendThrough(provider, [target(1), target(2), target(3)], 8, () => { seen.push(provider.requests()) })
  while (provider.pending.length < 3) await turn()
  await turn()
  t.same(seen, [3], 'told with the three requests on the wire, none answered')
  while (provider.requests() < 4 || provider.pending.length > 0) {
    provider.pending.shift()?.()
    await turn()
  }
  const report = await running
  t.same([...report.outcomes.values()].map((o) => [o.kind, o.attempts]), [['sent', 1], ['sent', 1], ['sent', 2]])
  t.same(seen, [3], 'the retry started later told nothing more')
})

t.test('not while a claimed device waits for a slot: told when it starts', async (t) => {
  const provider = heldProvider(() => ({ kind: 'sent' }))
  let told = false
  const running = sendThrough(provider, [target(1), target(2)], 1, () => { told = true })
  while (provider.pending.length < 1) await turn()
  for (let i = 0; i < 10; i++) await turn()
  t.equal(provider.requests(), 1, 'the one slot is taken')
  t.notOk(told, 'the second device is not on the wire yet')
  provider.pending.shift()!()
  while (provider.pending.length < 1) await turn()
  await turn()
  t.ok(told, 'told once the second request is on the wire, before its answer')
  provider.pending.shift()!()
  await running
})

t.test('not while a device waits for its retry: told once the retry is on the wire', async (t) => {
  const provider = heldProvider((token, attempt) => (token === 't1' && attempt === 1 ? { kind: 'retry', reason: 'HTTP 503' } : { kind: 'sent' }))
  let toldWith: number | undefined
  const running = sendThrough(provider, [target(1), target(2)], 1, () => { toldWith = provider.requests() })
  while (provider.pending.length < 1) await turn()
  provider.pending.shift()!() // t1: retry, in 1-2 ms
  while (provider.requests() < 2) await turn()
  t.equal(toldWith, undefined, 't2 on the wire, t1 waiting for its retry: not yet')
  while (provider.requests() < 3) {
    provider.pending.shift()?.()
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  await turn()
  t.equal(toldWith, 3, 'told once the retry started, before its answer')
  while (provider.pending.length > 0) provider.pending.shift()!()
  await running
})

t.test('told when the send ends without starting every device: nothing to send, or stopped', async (t) => {
  let told = 0
  const onOnlyAnswersLeft = () => { told++ }
  const provider = heldProvider(() => ({ kind: 'sent' }))
  await sendThrough(provider, [], 1, onOnlyAnswersLeft)
  t.equal(told, 1, 'no device')

  const stop = new AbortController()
  const running = sendThrough(provider, [target(1), target(2), target(3)], 1, onOnlyAnswersLeft, stop.signal)
  while (provider.pending.length < 1) await turn()
  stop.abort()
  provider.pending.shift()!()
  const report = await running
  t.ok(report.interrupted)
  t.equal(told, 2, 'stopped with devices never started: told once, at the end')
})
