import { randomUUID } from 'node:crypto'
import t from 'tap'
import { claimMessageWindow } from '../../../src/delivery/claims/message-claims.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { startDbHarness } from '../db-harness.js'
import { messageClaimRows } from '../rows.js'

const target = (id: bigint, platform: 'APNS' | 'FCM'): DeviceTarget => ({ id, platform, token: String(id), environment: 'PRODUCTION' })

// Two handlings of one message claiming at once (a copy handed out again while its holder lives)
// cannot share a statement: the lease is told apart by the command, so the live holder would be
// refused with the copy. Each goes alone (message-claims.ts): the lease's holder claims its window,
// the copy is told it was overtaken.
t.test('two handlings of one message claiming in the same turn: the lease\'s holder claims its window, the other copy nothing', async (t) => {
  const h = await startDbHarness(t)
  const message = await h.storeMessage('u')
  const ios = await h.addDevice('ios', { userId: 'u', platform: 'APNS' })
  const android = await h.addDevice('android', { userId: 'u', platform: 'FCM' })
  const holder = { key: message.messageId, holder: randomUUID() }
  const copy = { key: message.messageId, holder: randomUUID() }
  await h.db.pool.query("INSERT INTO command_lease (key, holder, expires_at) VALUES ($1, $2, now() + interval '1 minute')", [holder.key, holder.holder])
  const at = new Date()
  const [held, copied] = await Promise.all([
    claimMessageWindow(h.db, { messageId: message.messageId, claimant: holder, targets: [target(ios, 'APNS')], at }),
    claimMessageWindow(h.db, { messageId: message.messageId, claimant: copy, targets: [target(android, 'FCM')], at })
  ])
  t.same(held, { mine: new Set([String(ios)]), overtaken: false }, 'the holder of the live lease claims its device')
  t.same(copied, { mine: new Set(), overtaken: true }, 'the copy is told another handling holds the command')
  t.same(await messageClaimRows(h, message.messageId), [['ios', 'PENDING', null, 0, false]], 'only the holder\'s device is claimed')
})
