import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { expireMessages, sendDuePushes } from '../../../src/domain/in-app/fallback.js'
import { inAppDatabase } from './fixtures.js'

const DONE = 3000

// guarantee: in-app-polls-read-pending-only
// The push-fallback and expiry polls run every 300 ms on every api instance. A done in-app message
// (acknowledged, pushed or expired) keeps its push_due_at and expires_at, and inbox messages are
// never purged: with indexes of every row, each poll walked all of history before the first
// pending message. They read the pending ones only.
t.test('the fallback and expiry polls read the pending in-app messages, not the done ones', async (t) => {
  const { db, applicationId, developerId } = await inAppDatabase(t)
  // History, all of it due long ago: a third acknowledged, a third pushed then expired, a third expired unpushed.
  await db.pool.query(`
    WITH m AS (
      INSERT INTO inbox_message (id, user_id, type, subject, summary, body, created_at, developer_id, sender, push_content, push_due_at, expires_at,
                                 acknowledged_at, push_message_id, expired_at)
      SELECT gen_random_uuid(), 'u' || n, 'TEXT', '', '', 'in-app', now() - interval '30 days', $1, 'bob@carrier', 'push',
             now() - interval '30 days' + make_interval(secs => n), now() - interval '29 days' + make_interval(secs => n),
             CASE WHEN n % 3 = 0 THEN now() - interval '30 days' END,
             CASE WHEN n % 3 = 1 THEN gen_random_uuid() END,
             CASE WHEN n % 3 <> 0 THEN now() - interval '29 days' END
        FROM generate_series(1, $2::int) AS n
      RETURNING id)
    INSERT INTO inbox_message_application (message_id, application_id) SELECT id, $3 FROM m`, [developerId, DONE, applicationId])
  // Pending: two due for their push, one past its lifetime.
  await db.pool.query(`
    WITH m AS (
      INSERT INTO inbox_message (id, user_id, type, subject, summary, body, developer_id, sender, push_content, push_due_at, expires_at)
      VALUES (gen_random_uuid(), 'a', 'TEXT', '', '', 'in-app', $1, 'bob@carrier', 'push', now() - interval '1 second', now() + interval '1 hour'),
             (gen_random_uuid(), 'b', 'TEXT', '', '', 'in-app', $1, 'bob@carrier', 'push', now() - interval '1 second', now() + interval '1 hour'),
             (gen_random_uuid(), 'c', 'TEXT', '', '', 'in-app', $1, 'bob@carrier', NULL, NULL, now() - interval '1 second')
      RETURNING id)
    INSERT INTO inbox_message_application (message_id, application_id) SELECT id, $2 FROM m`, [developerId, applicationId])
  await db.pool.query('ANALYZE inbox_message')

  // Entries read from inbox_message's indexes, whichever the polls walk. (On a table this small the
  // claim's own update may read the table whole to join the few ids it claims: that is not counted.)
  const entriesRead = async () => {
    await db.pool.query('SELECT pg_stat_force_next_flush()')
    const { rows: [read] } = await db.pool.query<{ n: string }>(`SELECT pg_stat_clear_snapshot(),
      (SELECT sum(idx_tup_read) FROM pg_stat_user_indexes WHERE relname = 'inbox_message')::text AS n`)
    return Number(read!.n)
  }
  const app = { db, outbox: { kick: () => {} } } as unknown as FastifyInstance
  const before = await entriesRead()
  t.equal(await sendDuePushes(app, 100), 2, 'the two due pushes claimed')
  const afterPushes = await entriesRead()
  t.equal(await expireMessages(app, 100), 1, 'the one past its lifetime expired')
  const afterExpiry = await entriesRead()
  // A few entries each (the pending messages), never the history.
  t.ok(afterPushes - before < 20, `the fallback poll read ${afterPushes - before} index entries (${DONE + 3} messages)`)
  t.ok(afterExpiry - afterPushes < 20, `the expiry poll read ${afterExpiry - afterPushes} index entries (${DONE + 3} messages)`)
  t.equal(await sendDuePushes(app, 100), 0, 'nothing left to push')
  t.equal(await expireMessages(app, 100), 0, 'nothing left to expire')
})
