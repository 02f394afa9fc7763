import t from 'tap'
import { pendingInAppMessages, storeInAppMessage } from '../../../src/domain/in-app/messages.js'
import { inAppDatabase } from './fixtures.js'

const HOUR_MS = 3_600_000

/** Runs `step` with this process's clock `offsetMs` off (new Date() and Date.now(); dates built from a value are left alone). */
async function withClockOff<T> (offsetMs: number, step: () => Promise<T>): Promise<T> {
  const RealDate = Date
  class OffDate extends RealDate {
    constructor (...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offsetMs)
      else super(...(args as [string]))
    }

    static override now (): number { return RealDate.now() + offsetMs }
  }
  globalThis.Date = OffDate as DateConstructor
  try {
    return await step()
  } finally {
    globalThis.Date = RealDate
  }
}

// guarantee: in-app-times-by-database-clock
// The fallback and expiry polls compare the due and expiry times with the database's clock: an api
// whose own clock is behind stored messages already due for their push (before the app could ack)
// and, ahead, put fallback and expiry off. The times are the database's.
t.test('an in-app message\'s time, push due time and expiry are taken by the database\'s clock, not the api\'s', async (t) => {
  const { db, applicationId, developerId } = await inAppDatabase(t)

  const stored = await withClockOff(-HOUR_MS, async () => await storeInAppMessage(db,
    { applicationId, userId: 'alice', developerId, content: 'hi', pushContent: 'hi' }, { inAppAckTimeoutMs: 5000, inAppMessageTtlSeconds: 3600 }))
  const { rows: [times] } = await db.pool.query<{ created: number, due: number, expires: number }>(`
    SELECT extract(epoch FROM now() - created_at)::float AS created, extract(epoch FROM push_due_at - now())::float AS due,
           extract(epoch FROM expires_at - now())::float AS expires
      FROM inbox_message WHERE id = $1`, [stored.id])
  t.ok(Math.abs(times!.created) < 60, `stored at the database's time (${times!.created} s from it)`)
  t.ok(times!.due > 0 && times!.due <= 5, `due for its push 5 s on (${times!.due} s from the database's now)`)
  t.ok(times!.expires > 3500 && times!.expires <= 3600, `expires in an hour (${times!.expires} s)`)
})

// guarantee: in-app-times-by-database-clock
t.test('the replay of a connecting device judges expiry by the database\'s clock too', async (t) => {
  const { db, applicationId, developerId } = await inAppDatabase(t)
  const identity = { applicationId, userId: 'alice', developerId }
  const stored = await storeInAppMessage(db, { ...identity, content: 'hi' }, { inAppAckTimeoutMs: 5000, inAppMessageTtlSeconds: 3600 })
  // An api two hours ahead took the message (an hour to live by the database) for expired.
  const replayed = await withClockOff(2 * HOUR_MS, async () => await pendingInAppMessages(db, identity, { take: 10 }))
  t.same(replayed.map((message) => message.id), [stored.id], 'replayed: it has an hour to live')
  await db.pool.query('UPDATE inbox_message SET expires_at = now() - interval \'1 second\' WHERE id = $1', [stored.id])
  t.same(await withClockOff(-2 * HOUR_MS, async () => await pendingInAppMessages(db, identity, { take: 10 })), [], 'past its expiry, not replayed, whatever the api\'s clock says')
})
