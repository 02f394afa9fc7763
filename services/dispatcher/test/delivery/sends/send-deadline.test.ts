import t from 'tap'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { SendSlots } from '../../../src/delivery/sends/send-slots.js'
import { sendWithRetries } from '../../../src/delivery/sends/send-with-retries.js'
import type { SendOutcome } from '../../../src/senders/sender.js'

const policy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, retryAfterMaxMs: 60_000 }
const target = (id: number): DeviceTarget => ({ id: BigInt(id), token: `t${id}`, platform: 'APNS', environment: null })
const turn = () => new Promise((resolve) => setImmediate(resolve))

// validUntil passes while a window's claim is on its way (device 1 on the wire, one slot): the
// claimed device is not sent but expired, the devices never claimed are left to be recorded
// EXPIRED without a claim, and the request on the wire is still awaited.
t.test('validUntil passing while a window is being claimed: the claimed device expires unsent, the unclaimed ones are reported unattempted', async (t) => {
  let now = 1_000_000
  const validUntil = new Date(now + 1000)
  const sent: number[] = []
  let answerFirst: (outcome: SendOutcome) => void = () => {}
  const prepared = {
    send: (targets: DeviceTarget[]) => {
      sent.push(Number(targets[0]!.id))
      if (sent.length > 1) return Promise.resolve<SendOutcome[]>([{ kind: 'sent' }])
      return new Promise<SendOutcome[]>((resolve) => { answerFirst = (outcome) => { resolve([outcome]) } })
    }
  }
  const windows: number[][] = []
  let grantSecond: () => void = () => {}
  const claim = async (window: DeviceTarget[]) => {
    windows.push(window.map((x) => Number(x.id)))
    if (windows.length === 2) await new Promise<void>((resolve) => { grantSecond = resolve })
    return window
  }
  const running = sendWithRetries(prepared, [target(1), target(2), target(3), target(4)], {
    policy, validUntil, heartbeat: () => {}, slots: new SendSlots(1), claim, now: () => now, sleep: async () => {}
  })
  while (windows.length < 2) await turn()
  t.same([sent, windows], [[1], [[1], [2]]], 'device 1 on the wire, device 2\'s window being claimed')
  now += 2000
  grantSecond()
  await turn()
  answerFirst({ kind: 'sent' })
  const report = await running

  t.same(sent, [1], 'nothing sent once validUntil passed')
  t.same([...report.outcomes].map(([x, outcome]) => [Number(x.id), outcome.kind, outcome.attempts, 'reason' in outcome ? outcome.reason : null]).sort(),
    [[1, 'sent', 1, null], [2, 'expired', 0, 'Expired: validUntil passed before sending']])
  t.same(report.expiredUnattempted.map((x) => Number(x.id)), [3, 4], 'never claimed: recorded EXPIRED by the caller, without a claim')
  t.equal(report.interrupted, false)
})

// A sender's answer without an outcome for the device (a client bug) is not taken for a success.
t.test('an answer without an outcome is retried, then fails with NoOutcome', async (t) => {
  let attempts = 0
  let now = 0
  const prepared = { send: async (): Promise<SendOutcome[]> => { attempts++; return [] } }
  const report = await sendWithRetries(prepared, [target(1)], {
    policy, validUntil: null, heartbeat: () => {}, slots: new SendSlots(4), claim: async (window) => window, now: () => now, sleep: async (ms) => { now += ms }
  })
  t.same([...report.outcomes.values()].map((o) => [o.kind, 'reason' in o ? o.reason : null, o.attempts]), [['failed', 'NoOutcome (after 3 attempts)', 3]])
  t.equal(attempts, 3)
})

// A command stopped while it waits for a slot gives its place up: the slot freed later goes to the
// next command, not to the one that left (the sender would lose a slot for good).
t.test('a slot waiter that gave up (its command stopped) takes no slot freed afterwards', async (t) => {
  const slots = new SendSlots(1)
  t.equal(await slots.take(1, 1), 1)
  const stop = new AbortController()
  const abandoned = slots.take(1, 1, stop.signal)
  stop.abort()
  t.equal(await abandoned, 0, 'the stopped waiter got nothing')
  slots.give(1)
  let granted: number | undefined
  slots.take(1, 1).then((n) => { granted = n }, () => {})
  await turn()
  t.equal(granted, 1, 'the freed slot went to the next taker')
})

// validUntil passes while devices wait for the sender's one slot (device 1 on the wire): once the
// slot frees, the waiting device is expired unsent, not attempted late.
t.test('validUntil passing while devices wait for a slot: no attempt starts after it', async (t) => {
  let now = 1_000_000
  const sent: Array<[number, number]> = []
  let answerFirst: () => void = () => {}
  const prepared = {
    send: (targets: DeviceTarget[]) => {
      sent.push([Number(targets[0]!.id), now])
      if (sent.length > 1) return Promise.resolve<SendOutcome[]>([{ kind: 'sent' }])
      return new Promise<SendOutcome[]>((resolve) => { answerFirst = () => { resolve([{ kind: 'sent' }]) } })
    }
  }
  const running = sendWithRetries(prepared, [target(1), target(2)], {
    policy, validUntil: new Date(now + 1000), heartbeat: () => {}, slots: new SendSlots(1), claim: async (window) => window, now: () => now, sleep: async () => {}
  })
  while (sent.length < 1) await turn()
  await turn()
  now += 5000
  answerFirst()
  const report = await running
  t.same(sent, [[1, 1_000_000]], 'device 2 was not sent once the slot freed after validUntil')
  t.same([...report.outcomes].map(([x, outcome]) => [Number(x.id), outcome.kind, outcome.attempts]).sort(), [[1, 'sent', 1], [2, 'expired', 0]])
})

// guarantee: transient-failures-retried (never past validUntil, even with the sender's slots full)
// The same for a retry: device 1's retry falls due while device 2 holds the one slot, and
// validUntil passes before that slot frees: the retry is not made, device 1 expires.
t.test('validUntil passing while a due retry waits for a slot: the retry is not made', async (t) => {
  let now = 1_000_000
  const sent: Array<[number, number]> = []
  const held: Array<() => void> = []
  const prepared = {
    send: (targets: DeviceTarget[]) => {
      const id = Number(targets[0]!.id)
      sent.push([id, now])
      if (id === 1) return Promise.resolve<SendOutcome[]>([sent.length === 1 ? { kind: 'retry', reason: 'TooManyRequests' } : { kind: 'sent' }])
      return new Promise<SendOutcome[]>((resolve) => { held.push(() => { resolve([{ kind: 'sent' }]) }) })
    }
  }
  const running = sendWithRetries(prepared, [target(1), target(2)], {
    policy, validUntil: new Date(now + 1000), heartbeat: () => {}, slots: new SendSlots(1), claim: async (window) => window, now: () => now, sleep: async (ms) => { now += Math.min(ms, 1) }
  })
  while (held.length < 1) await turn()
  for (let i = 0; i < 30; i++) await turn()
  t.same(sent.map(([id]) => id), [1, 2], 'device 1 answered "retry", device 2 holds the slot')
  now += 5000
  held.shift()!()
  const report = await running
  t.same(sent.map(([id]) => id), [1, 2], 'no retry of device 1 after validUntil')
  t.same([...report.outcomes].map(([x, outcome]) => [Number(x.id), outcome.kind, outcome.attempts]).sort(), [[1, 'expired', 1], [2, 'sent', 1]])
})
