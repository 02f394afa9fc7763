import t from 'tap'
import { storeInAppMessage } from '../../../src/domain/in-app/messages.js'
import { inAppDatabase } from './fixtures.js'

const BEHIND_MS = 3_600_000

// guarantee: in-app-times-by-database-clock
// The fallback and expiry polls compare the due and expiry times with the database's clock: an api
// whose own clock is behind stored messages already due for their push (before the app could ack)
// and, ahead, put fallback and expiry off. The times are the database's.
t.test('an in-app message\'s time, push due time and expiry are taken by the database\'s clock, not the api\'s', async (t) => {
  const { db, applicationId, developerId } = await inAppDatabase(t)

  // This process's clock an hour behind (new Date() and Date.now(); dates built from a value are left alone).
  const RealDate = Date
  class BehindDate extends RealDate {
    constructor (...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() - BEHIND_MS)
      else super(...(args as [string]))
    }

    static override now (): number { return RealDate.now() - BEHIND_MS }
  }
  globalThis.Date = BehindDate as DateConstructor
  let stored
  try {
    stored = await storeInAppMessage(db, { applicationId, userId: 'alice', developerId, content: 'hi', pushContent: 'hi' },
      { inAppAckTimeoutMs: 5000, inAppMessageTtlSeconds: 3600 })
  } finally {
    globalThis.Date = RealDate
  }
  const { rows: [times] } = await db.pool.query<{ created: number, due: number, expires: number }>(`
    SELECT extract(epoch FROM now() - created_at)::float AS created, extract(epoch FROM push_due_at - now())::float AS due,
           extract(epoch FROM expires_at - now())::float AS expires
      FROM inbox_message WHERE id = $1`, [stored.id])
  t.ok(Math.abs(times!.created) < 60, `stored at the database's time (${times!.created} s from it)`)
  t.ok(times!.due > 0 && times!.due <= 5, `due for its push 5 s on (${times!.due} s from the database's now)`)
  t.ok(times!.expires > 3500 && times!.expires <= 3600, `expires in an hour (${times!.expires} s)`)
})
