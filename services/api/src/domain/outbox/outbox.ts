import type { CallbackCommand, Command } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { TransportError, TransportErrorCode, type Transport } from '@beacon/transport'
import { recordQueuedCallbacks } from '../callbacks/records.js'

/** A statement runner: the pool (autocommit) or one client inside a transaction. */
export type Queryable = Pick<Db['pool'], 'query'>

/** What a row of the outbox carries: a command for the dispatchers or a callback to a developer. */
export type OutboxRow =
  | { id: string, kind: 'command', payload: Command }
  | { id: string, kind: 'callback', payload: CallbackCommand }

export interface PublishOutcome {
  /** JetStream confirmed them (or had them already: same message id). */
  published: OutboxRow[]
  /** Refused for good (over the server's max payload): publishing them again cannot succeed. */
  refused: OutboxRow[]
  /** Anything else (no connection, a timeout): tried again later. */
  failed: OutboxRow[]
  /** The first failure's error, for the log. */
  error?: unknown
}

const isRefusal = (error: unknown) => error instanceof TransportError && error.code === TransportErrorCode.PUBLISH_REFUSED

/**
 * Publishes rows side by side. Each carries its own message id (commandId, callback:eventId), so
 * a row published twice — by its request and a sweeper, or after a crash — is kept once by JetStream.
 */
export async function publishRows (transport: Transport, rows: OutboxRow[]): Promise<PublishOutcome> {
  const outcome: PublishOutcome = { published: [], refused: [], failed: [] }
  const settled = await Promise.allSettled(rows.map((row) => row.kind === 'command'
    ? transport.publishCommand(row.payload)
    : transport.publishCallback(row.payload)))
  settled.forEach((result, index) => {
    const row = rows[index]!
    if (result.status === 'fulfilled') outcome.published.push(row)
    else {
      outcome.error ??= result.reason
      if (isRefusal(result.reason)) outcome.refused.push(row)
      else outcome.failed.push(row)
    }
  })
  return outcome
}

/** Deletes rows once they are published (or their refusal is recorded): one statement per batch. */
export async function deleteRows (q: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  await q.query({ name: 'beacon-outbox-delete', text: 'DELETE FROM outbox WHERE id = ANY($1::bigint[])', values: [ids] })
}

/**
 * Deletes the rows of commands their requests published themselves (published-rows.ts gathers
 * them). A row the sweeper holds (it is publishing it: FOR UPDATE) is left to it, which deletes
 * it once JetStream confirms: waiting for its lock would hold up every row of the statement.
 */
export async function deleteUnlockedRows (q: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return
  await q.query({
    name: 'beacon-outbox-delete-unlocked',
    text: 'DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE id = ANY($1::bigint[]) FOR UPDATE SKIP LOCKED)',
    values: [ids]
  })
}

/** Queues callbacks through the outbox (published by the sweeper that `kick` wakes), each recorded with it. */
export async function queueCallbacks (q: Queryable, callbacks: CallbackCommand[]): Promise<void> {
  if (callbacks.length === 0) return
  await q.query({
    name: 'beacon-outbox-callbacks',
    text: `WITH queued AS (
             INSERT INTO outbox (kind, payload) SELECT 'callback', p FROM unnest($1::json[]) AS p
             RETURNING payload)
           ${recordQueuedCallbacks('queued')}`,
    values: [callbacks.map((callback) => JSON.stringify(callback))]
  })
}

/** SQL: a timestamptz expression as the ISO 8601 text JavaScript's toISOString gives. */
export const isoTimestamp = (expression: string) => `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

/**
 * SQL: the payload of a callback about an in-app message (`alias` has id, user_id, developer_id),
 * as in-app-fallback and push-callbacks build it: eventId `<id>:<event>`, to `<user>@<carrier>`.
 */
export function inAppCallbackPayload (alias: string, event: string, at: string, reason: string): string {
  const carrier = `(SELECT ap.carrier_domain FROM inbox_message_application ia JOIN application ap ON ap.id = ia.application_id
                     WHERE ia.message_id = ${alias}.id ORDER BY ia.application_id LIMIT 1)`
  return `json_build_object('developerId', ${alias}.developer_id, 'body', json_build_object(
            'eventId', ${alias}.id::text || ':${event}', 'event', '${event}', 'requestId', ${alias}.id::text,
            'to', ${alias}.user_id || '@' || coalesce(${carrier}, ''), 'timestamp', ${isoTimestamp(at)}, 'reason', ${reason}))`
}
