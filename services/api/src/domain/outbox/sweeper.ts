import type { Db } from '@beacon/db'
import type { Transport } from '@beacon/transport'
import type { FastifyBaseLogger } from 'fastify'
import { deleteRows, publishRows, type OutboxRow } from './outbox.js'
import { recordRefusals } from './refusals.js'

export interface SweepOptions {
  /** Rows per round (one transaction). */
  batch: number
  /** How long a row whose publish failed waits before the next attempt. */
  retryDelayMs: number
}

/**
 * One round of the sweeper: takes the rows due (FOR UPDATE SKIP LOCKED, so the instances never
 * hold the same row and never publish it at the same time), publishes them, and in the same
 * transaction deletes what JetStream confirmed, records definite refusals, and puts the rest off
 * by `retryDelayMs`. The locks are held while publishing: an instance that dies meanwhile releases
 * them with its connection and another takes the rows. Returns how many rows it took.
 */
export async function sweepOutbox (db: Db, transport: Transport, options: SweepOptions, log: FastifyBaseLogger): Promise<number> {
  const client = await db.pool.connect()
  let broken: Error | undefined
  // A connection lost while held (the server restarted, the session was ended) is an 'error'
  // event on the client; unheard it would end the process. The statement in flight fails too.
  const lost = (error: Error) => { broken = error }
  client.on('error', lost)
  try {
    await client.query('BEGIN')
    const { rows } = await client.query<OutboxRow>({
      name: 'beacon-outbox-due',
      text: `SELECT id::text AS id, kind, payload FROM outbox WHERE publish_after <= now()
              ORDER BY publish_after, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      values: [options.batch]
    })
    if (rows.length === 0) {
      await client.query('COMMIT')
      return 0
    }
    const outcome = await publishRows(transport, rows)
    await deleteRows(client, [...outcome.published, ...outcome.refused].map((row) => row.id))
    await recordRefusals(client, outcome.refused, log)
    if (outcome.failed.length > 0) {
      await client.query({
        name: 'beacon-outbox-later',
        text: `UPDATE outbox SET attempts = attempts + 1, publish_after = now() + $2::int * interval '1 millisecond'
                WHERE id = ANY($1::bigint[])`,
        values: [outcome.failed.map((row) => row.id), options.retryDelayMs]
      })
      log.warn({ err: outcome.error, rows: outcome.failed.length }, 'outbox rows could not be published; retried later')
    }
    await client.query('COMMIT')
    return rows.length
  } catch (error) {
    // A connection that failed mid-transaction is not given back to the pool.
    await client.query('ROLLBACK').catch((failure: unknown) => { broken = failure as Error })
    throw error
  } finally {
    client.off('error', lost)
    client.release(broken)
  }
}
