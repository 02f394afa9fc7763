import type { SendCommand } from '@beacon/contracts'
import { groupCommit, type Db } from '@beacon/db'

/** A command before its message is stored: the application's internal id comes from the store. */
export type DraftCommand = Omit<SendCommand, 'applicationId'>

/** What storing one request's messages gave. */
export interface Stored {
  /** null: no application has that appId (nothing was stored). */
  applicationId: number | null
  /** The outbox row of each message's command, by message id. */
  outboxIds: Map<string, string>
}

// A named statement through the pool (prepared once per connection): the messages of every send
// in a group (group-commit.ts) and their commands' outbox rows in one statement, each message with
// its request's application looked up on the way (a message of no application is not stored).
// The command gets the application's internal id in SQL. The sweeper leaves each row to its
// request for that request's grace ($10, OUTBOX_PUBLISH_GRACE_MS).
const STORE_MESSAGES = {
  name: 'beacon-store-messages-grouped',
  text: `WITH m AS (
           SELECT m.*, a.id AS application_id
             FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::boolean[], $6::boolean[], $7::text[], $8::jsonb[], $9::jsonb[], $10::int[])
                  AS m(app_id, id, user_id, activation_id, personal, silent, priority, body, command, grace_ms)
             JOIN application a ON a.app_id = m.app_id),
         stored AS (
           INSERT INTO message (id, application_id, user_id, activation_id, personal, silent, priority, body)
           SELECT m.id, m.application_id, m.user_id, m.activation_id, m.personal, m.silent, m.priority::"MessagePriority", m.body FROM m
           RETURNING 1),
         queued AS (
           INSERT INTO outbox (kind, payload, publish_after)
           SELECT 'command', (m.command || jsonb_build_object('applicationId', m.application_id))::json, now() + m.grace_ms * interval '1 millisecond'
             FROM m
           RETURNING id::text AS outbox_id, payload->>'messageId' AS message_id, (payload->>'applicationId')::int AS application_id)
         SELECT * FROM queued`
}

interface StoreRequest { appId: string, commands: DraftCommand[], graceMs: number }

interface StoredRow { application_id: number, outbox_id: string | null, message_id: string }

// A request's messages already stored: what a group's statement committed before its answer was
// lost, found when group-commit runs the request again alone (its message ids are its own).
const EARLIER = `SELECT m.id::text AS message_id, m.application_id, o.id::text AS outbox_id
                   FROM message m LEFT JOIN outbox o ON o.kind = 'command' AND o.payload->>'messageId' = m.id::text
                  WHERE m.id = ANY($1::uuid[])`

const isOwnMessageConflict = (error: unknown) =>
  (error as { code?: unknown, constraint?: unknown } | null)?.code === '23505' && (error as { constraint?: unknown }).constraint === 'message_pkey'

const storeGroup = (db: Db) => async (requests: StoreRequest[]): Promise<Stored[]> => {
  const all = requests.flatMap(({ appId, commands, graceMs }) => commands.map((command) => ({ appId, command, graceMs })))
  let rows: StoredRow[]
  try {
    rows = (await db.pool.query<StoredRow>({
      ...STORE_MESSAGES,
      values: [
        all.map((m) => m.appId), all.map((m) => m.command.messageId), all.map((m) => m.command.userId),
        all.map((m) => m.command.activationId ?? null), all.map((m) => m.command.personal), all.map((m) => m.command.silent),
        all.map((m) => m.command.priority), all.map((m) => JSON.stringify(m.command.body)), all.map((m) => JSON.stringify(m.command)),
        all.map((m) => m.graceMs)
      ]
    })).rows
  } catch (error) {
    // Run again alone after its group's answer was lost: the group committed, so every message of
    // this request is there already (a statement is all or nothing). Answered as stored; its
    // outbox row, if the sweeper has not published it yet, is published and deleted as usual.
    if (requests.length !== 1 || !isOwnMessageConflict(error)) throw error
    const ids = all.map((m) => m.command.messageId)
    rows = (await db.pool.query<StoredRow>(EARLIER, [ids])).rows
    if (rows.length !== ids.length) throw error
  }
  const byMessage = new Map(rows.map((row) => [row.message_id, row]))
  return requests.map(({ commands }) => {
    const stored: Stored = { applicationId: null, outboxIds: new Map() }
    for (const command of commands) {
      const row = byMessage.get(command.messageId)
      if (row === undefined) continue
      stored.applicationId = row.application_id
      if (row.outbox_id !== null) stored.outboxIds.set(command.messageId, row.outbox_id)
    }
    return stored
  })
}

export interface MessageWrites {
  /**
   * Stores one request's messages of the application with PowerAuth id `appId`, and their outbox
   * rows, which the sweeper leaves to the request for `graceMs`.
   */
  store (appId: string, commands: DraftCommand[], graceMs: number): Promise<Stored>
}

const perDb = new WeakMap<Db, MessageWrites>()

/**
 * The send requests' writes to the database, grouped across the requests in flight: one
 * statement stores the messages of all the sends that arrived together (it was one per request).
 * Their outbox rows, once published, go in the outbox plugin's windowed delete (published-rows.ts).
 */
export function messageWrites (db: Db): MessageWrites {
  let writes = perDb.get(db)
  if (writes === undefined) {
    const store = groupCommit(storeGroup(db), { spacingMs: db.groupSpacingMs })
    writes = { store: (appId, commands, graceMs) => store({ appId, commands, graceMs }) }
    perDb.set(db, writes)
  }
  return writes
}
