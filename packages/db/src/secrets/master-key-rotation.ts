import pg from 'pg'
import { connectionOf, useSchema } from '../connection.js'
import { DbError, DbErrorCode } from '../errors.js'
import { markVersion1Retired, readVersion1State } from './format-mark.js'
import { openLegacy } from './legacy-format.js'
import { sealedVersion } from './sealed-layout.js'
import { createSecretBox, LEGACY_VERSION, SEALED_VERSION } from './secret-box.js'
import { SEALED_COLUMN_NAMES, SEALED_COLUMNS, placeLabel, type SealedColumn, type SealedPlace } from './sealed-places.js'

export interface RotationReport {
  /** Values re-sealed under the new master key, per column. */
  resealed: Record<SealedColumn, number>
  /** Of those, how many were still of the version-1 format (only before the one-time upgrade). */
  fromVersion1: number
}

function listed (places: SealedPlace[]): string {
  const shown = places.slice(0, 20).map(placeLabel).join(', ')
  return `column:row ${shown}${places.length > 20 ? ` and ${places.length - 20} more` : ''}`
}

/** The rotation changed nothing: these values do not open with the current master key, or are of the refused version-1 format. */
export class RotationRefusedError extends DbError {
  override name = 'RotationRefusedError'
  constructor (readonly unreadable: SealedPlace[], readonly legacy: SealedPlace[] = []) {
    const reasons = [
      ...unreadable.length > 0 ? [`${unreadable.length} sealed value(s) cannot be opened with the current master key (${listed(unreadable)})`] : [],
      ...legacy.length > 0 ? [`${legacy.length} value(s) of the version-1 format, refused since the one-time upgrade (${listed(legacy)})`] : []
    ]
    super(DbErrorCode.SECRET_ROTATION_REFUSED, `${reasons.join('; ')}; nothing was changed`)
  }
}

/** The rotation's COMMIT went unanswered and PostgreSQL could not be asked how it ended. */
export class RotationOutcomeUnknownError extends DbError {
  override name = 'RotationOutcomeUnknownError'
  constructor (cause: unknown) {
    super(DbErrorCode.SECRET_ROTATION_OUTCOME_UNKNOWN, 'the answer to COMMIT was lost and the database could not be asked how the rotation ended: ' +
      `it may have been applied. Keep both MASTER_KEY and NEW_MASTER_KEY until you know which one opens the stored values (${(cause as Error).message})`, { cause })
  }
}

interface Resealed { table: string, column: string, rowId: number, sealed: Buffer }

/**
 * Re-seals every sealed value of the database under `newKey`, in one transaction: all or nothing.
 * The rows are locked while it runs (FOR NO KEY UPDATE: a concurrent credential upload waits for
 * it, inserts that only reference the rows, such as device registrations, do not), and so is the
 * mark of the one-time upgrade (an api starting meanwhile waits too). Refused, with nothing
 * changed, when any value cannot be opened with `currentKey`. A version-1 value is re-sealed only
 * while that upgrade is still pending (the rotation then is the upgrade, and sets the mark); after
 * it, one is refused like an unreadable value: it may have been planted from an old backup into
 * another row, and re-sealing would bind it there (see legacy-migration.ts).
 */
export async function rotateMasterKey (url: string, currentKey: Buffer, newKey: Buffer): Promise<RotationReport> {
  if (currentKey.equals(newKey)) throw new DbError(DbErrorCode.SECRET_KEY_INVALID, 'the new master key is the current one')
  const current = createSecretBox(currentKey)
  const next = createSecretBox(newKey)
  const report: RotationReport = {
    resealed: Object.fromEntries(SEALED_COLUMN_NAMES.map((name) => [name, 0])) as Record<SealedColumn, number>,
    fromVersion1: 0
  }
  const connection = connectionOf(url)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    if (connection.named) await useSchema(client, connection.schema)
    await client.query('BEGIN')
    const state = await readVersion1State(client, { lock: true })
    const stored: Array<{ name: SealedColumn, table: string, column: string, rowId: number, sealed: Buffer }> = []
    for (const name of SEALED_COLUMN_NAMES) {
      const { table, column } = SEALED_COLUMNS[name]
      const { rows } = await client.query<{ id: number, sealed: Buffer }>(
        `SELECT id, "${column}" AS sealed FROM "${table}" WHERE "${column}" IS NOT NULL ORDER BY id FOR NO KEY UPDATE`
      )
      for (const row of rows) stored.push({ name, table, column, rowId: row.id, sealed: row.sealed })
    }
    // As at the api's start: the upgrade counts as done once marked, or once any version-2 value exists.
    const version1Accepted = state === 'pending' && !stored.some(({ sealed }) => sealedVersion(sealed) === SEALED_VERSION)
    const updates: Resealed[] = []
    const unreadable: SealedPlace[] = []
    const legacy: SealedPlace[] = []
    for (const { name, table, column, rowId, sealed } of stored) {
      const place = { column: name, rowId }
      const isVersion1 = sealedVersion(sealed) === LEGACY_VERSION
      if (isVersion1 && !version1Accepted) {
        legacy.push(place)
        continue
      }
      try {
        const plaintext = isVersion1 ? openLegacy(currentKey, place, sealed) : current.open(place, sealed)
        updates.push({ table, column, rowId, sealed: next.seal(place, plaintext) })
        report.resealed[name]++
        if (isVersion1) report.fromVersion1++
      } catch (error) {
        if (!(error instanceof DbError)) throw error
        unreadable.push(place)
      }
    }
    if (unreadable.length > 0 || legacy.length > 0) throw new RotationRefusedError(unreadable, legacy)
    for (const { table, column, rowId, sealed } of updates) {
      await client.query(`UPDATE "${table}" SET "${column}" = $1 WHERE id = $2`, [sealed, rowId])
    }
    // Every value is version 2 now: the upgrade is done (or its mark restored).
    if (state !== 'retired') await markVersion1Retired(client)
    const { rows: [transaction] } = await client.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid')
    try {
      await client.query('COMMIT')
    } catch (cause) {
      // The answer may be what was lost, not the commit: PostgreSQL is asked how the transaction ended.
      const outcome = await transactionOutcome(url, transaction!.xid).catch(() => 'unknown' as const)
      if (outcome === 'committed') return report
      if (outcome === 'aborted') throw cause
      throw new RotationOutcomeUnknownError(cause)
    }
    return report
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    await client.end().catch(() => {})
  }
}

/** How the rotation's transaction ended, asked on a new connection (bounded: the network may be what failed). */
async function transactionOutcome (url: string, xid: string): Promise<'committed' | 'aborted' | 'unknown'> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, query_timeout: 10_000, keepAlive: true })
  await client.connect()
  try {
    // A commit still being written reads 'in progress' for a moment: asked again for up to 30 s.
    for (let asked = 0; asked < 60; asked++) {
      const { rows: [row] } = await client.query<{ status: string | null }>('SELECT pg_xact_status($1::xid8) AS status', [xid])
      if (row?.status === 'committed' || row?.status === 'aborted') return row.status
      if (row?.status !== 'in progress') return 'unknown'
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    return 'unknown'
  } finally {
    await client.end().catch(() => {})
  }
}
