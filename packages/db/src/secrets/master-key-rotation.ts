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
    try {
      await client.query('COMMIT')
    } catch (cause) {
      // The server may have committed before the answer was lost: look, on a new connection.
      const probe = updates[0]
      if (probe === undefined) throw cause
      const committed = await committedValue(url, connection, probe).catch(() => undefined)
      if (committed === true) return report
      if (committed === false) throw cause
      throw new DbError(DbErrorCode.SECRET_ROTATION_REFUSED, 'the answer to COMMIT was lost and the database could not be asked again: ' +
        `the rotation may have been applied. Keep NEW_MASTER_KEY, and check which key opens the values (run again with MASTER_KEY set to it): ${(cause as Error).message}`, { cause })
    }
    return report
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    await client.end().catch(() => {})
  }
}

/**
 * Whether `probe`'s row holds the value the rotation wrote (its COMMIT went through). FOR SHARE
 * waits for the rotation's row lock: a transaction still committing (its answer lost on the way)
 * is seen once it ended, not before.
 */
async function committedValue (url: string, connection: ReturnType<typeof connectionOf>, probe: Resealed): Promise<boolean> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    if (connection.named) await useSchema(client, connection.schema)
    await client.query("SET lock_timeout = '30s'")
    const { rows } = await client.query<{ sealed: Buffer | null }>(`SELECT "${probe.column}" AS sealed FROM "${probe.table}" WHERE id = $1 FOR SHARE`, [probe.rowId])
    return rows[0]?.sealed?.equals(probe.sealed) === true
  } finally {
    await client.end()
  }
}
