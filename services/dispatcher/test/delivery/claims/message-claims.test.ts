import { randomUUID } from 'node:crypto'
import t from 'tap'
import { claimMessageWindow } from '../../../src/delivery/claims/message-claims.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { startDbHarness } from '../db-harness.js'

const target = (id: bigint, platform: 'APNS' | 'FCM' = 'APNS'): DeviceTarget => ({ id, platform, token: String(id), environment: 'PRODUCTION' })
const holder = (key: string) => ({ key, holder: randomUUID() })

// Several commands in hand claim in one statement: each gets its own devices, a command whose
// lease another handling holds claims nothing and is told so, the others are not held up by it.
t.test('windows of several messages claimed together: each its own, an overtaken command none', async (t) => {
  const h = await startDbHarness(t)
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((user) => h.storeMessage(user)))
  const [d1, d2, d3] = await Promise.all([['d1', 'a'], ['d2', 'b'], ['d3', 'c']].map(([label, userId]) => h.addDevice(label!, { userId: userId! })))
  // c's lease is another live handling's.
  await h.db.pool.query("INSERT INTO command_lease (key, holder, expires_at) VALUES ($1, $2, now() + interval '1 minute')", [c!.messageId, randomUUID()])
  const at = new Date()
  const [ca, cb, cc] = await Promise.all([
    claimMessageWindow(h.db, { messageId: a!.messageId, claimant: holder(a!.messageId), targets: [target(d1!)], at }),
    claimMessageWindow(h.db, { messageId: b!.messageId, claimant: holder(b!.messageId), targets: [target(d2!, 'FCM')], at }),
    claimMessageWindow(h.db, { messageId: c!.messageId, claimant: holder(c!.messageId), targets: [target(d3!)], at })
  ])
  t.same(ca, { mine: new Set([String(d1)]), overtaken: false })
  t.same(cb, { mine: new Set([String(d2)]), overtaken: false })
  t.same(cc, { mine: new Set(), overtaken: true })
  const claims = await h.db.messageDelivery.findMany({ orderBy: { deviceId: 'asc' } })
  t.same(claims.map((row) => [row.messageId, row.deviceId, row.platform, row.status]),
    // The devices were added concurrently: their ids come in either order.
    [[a!.messageId, d1, 'APNS', 'PENDING'], [b!.messageId, d2, 'FCM', 'PENDING']].sort((x, y) => Number(x[1]) - Number(y[1])), 'nothing claimed for the overtaken command')
})

t.test('a claim run again with its time (its answer was lost) finds its rows; a PENDING claim made at another time is taken over', async (t) => {
  const h = await startDbHarness(t)
  const message = await h.storeMessage('u')
  const device = await h.addDevice('d', { userId: 'u' })
  const first = holder(message.messageId)
  const at = new Date()
  const window = { messageId: message.messageId, claimant: first, targets: [target(device)], at }
  t.same((await claimMessageWindow(h.db, window)).mine, new Set([String(device)]))
  t.same((await claimMessageWindow(h.db, window)).mine, new Set([String(device)]), 'the same window again: still its own')
  // A second copy of the command in the same group as a repeat of the first: a statement cannot
  // tell their answers apart, so they go one by one, each answered (the command's lease, not the
  // claim, keeps two live copies from both sending).
  const [again, copy] = await Promise.all([
    claimMessageWindow(h.db, window),
    claimMessageWindow(h.db, { ...window, claimant: holder(message.messageId), at: new Date(at.getTime() - 1000) })
  ])
  t.same(again.mine, new Set([String(device)]))
  t.same(copy.mine, new Set([String(device)]), 'a PENDING claim made at another time is taken over')
})

/** A message's window claimed after another handling's lease lapsed a minute ago, `done` or not. */
async function claimAfterLapsedLease (h: Awaited<ReturnType<typeof startDbHarness>>, done: boolean) {
  const message = await h.storeMessage('u')
  const device = await h.addDevice('d', { userId: 'u' })
  await h.db.pool.query("INSERT INTO command_lease (key, holder, expires_at, done) VALUES ($1, $2, now() - interval '1 minute', $3)", [message.messageId, randomUUID(), done])
  const claimed = await claimMessageWindow(h.db, { messageId: message.messageId, claimant: holder(message.messageId), targets: [target(device)], at: new Date() })
  return { claimed, device }
}

// A command another handling finished (its lease done, whether or not lapsed since) is over: a
// copy redelivered afterwards claims nothing and is told so, or it would send every device again.
t.test('a message whose command another handling finished claims nothing, its lease lapsed or not', async (t) => {
  const h = await startDbHarness(t)
  const { claimed } = await claimAfterLapsedLease(h, true)
  t.same(claimed, { mine: new Set(), overtaken: true })
  t.same(await h.db.messageDelivery.findMany(), [], 'nothing claimed')
})

// Answers of a grouped claim are told apart by message: a device both messages reach, answered
// already for one of them, is claimed for the other only; the first does not send it again.
t.test('two messages to one device claimed together: the one that already has its answer does not get the device back', async (t) => {
  const h = await startDbHarness(t)
  const [done, fresh] = await Promise.all(['u', 'u'].map((user) => h.storeMessage(user)))
  const device = await h.addDevice('d', { userId: 'u' })
  await h.db.messageDelivery.create({ data: { messageId: done!.messageId, deviceId: device, platform: 'APNS', status: 'SENT', attempts: 1 } })
  const at = new Date()
  const [first, second] = await Promise.all([done!, fresh!].map((m) => claimMessageWindow(h.db, { messageId: m.messageId, claimant: holder(m.messageId), targets: [target(device)], at })))
  t.same(first, { mine: new Set(), overtaken: false }, 'already answered for this message')
  t.same(second, { mine: new Set([String(device)]), overtaken: false }, 'claimed for the other')
})

// Another handling's lease that lapsed unfinished (its holder died) does not stop a message's
// window, as it does not stop a chunk's: that holder's devices are this one's to send.
t.test('a message whose lease another handling let lapse unfinished is claimed', async (t) => {
  const h = await startDbHarness(t)
  const { claimed, device } = await claimAfterLapsedLease(h, false)
  t.same(claimed, { mine: new Set([String(device)]), overtaken: false })
})
