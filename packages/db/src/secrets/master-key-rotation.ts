import pg from 'pg'
import { DbError, DbErrorCode } from '../errors.js'
import { openForResealing } from './legacy-format.js'
import { sealedVersion } from './sealed-layout.js'
import { createSecretBox, LEGACY_VERSION } from './secret-box.js'
import { SEALED_COLUMN_NAMES, SEALED_COLUMNS, placeLabel, type SealedColumn, type SealedPlace } from './sealed-places.js'

export interface RotationReport {
  /** Values re-sealed under the new master key, per column. */
  resealed: Record<SealedColumn, number>
  /** Of those, how many were still of the version-1 format. */
  fromVersion1: number
}

/** The rotation changed nothing: these values do not open with the current master key. */
export class RotationRefusedError extends DbError {
  override name = 'RotationRefusedError'
  constructor (readonly unreadable: SealedPlace[]) {
    const shown = unreadable.slice(0, 20).map(placeLabel).join(', ')
    const more = unreadable.length > 20 ? ` and ${unreadable.length - 20} more` : ''
    super(DbErrorCode.SECRET_ROTATION_REFUSED,
      `${unreadable.length} sealed value(s) cannot be opened with the current master key (column:row ${shown}${more}); nothing was changed`)
  }
}

interface Resealed { table: string, column: string, rowId: number, sealed: Buffer }

/**
 * Re-seals every sealed value of the database under `newKey`, in one transaction: all or nothing.
 * The rows are locked while it runs (FOR NO KEY UPDATE: a concurrent credential upload waits for
 * it, inserts that only reference the rows, such as device registrations, do not). Refused, with
 * nothing changed, when any value cannot be opened with `currentKey`; version-1 values are
 * re-sealed as version 2 on the way.
 */
export async function rotateMasterKey (url: string, currentKey: Buffer, newKey: Buffer): Promise<RotationReport> {
  if (currentKey.equals(newKey)) throw new DbError(DbErrorCode.SECRET_KEY_INVALID, 'the new master key is the current one')
  const current = createSecretBox(currentKey)
  const next = createSecretBox(newKey)
  const report: RotationReport = {
    resealed: Object.fromEntries(SEALED_COLUMN_NAMES.map((name) => [name, 0])) as Record<SealedColumn, number>,
    fromVersion1: 0
  }
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query('BEGIN')
    const updates: Resealed[] = []
    const unreadable: SealedPlace[] = []
    for (const name of SEALED_COLUMN_NAMES) {
      const { table, column } = SEALED_COLUMNS[name]
      const { rows } = await client.query<{ id: number, sealed: Buffer }>(
        `SELECT id, "${column}" AS sealed FROM "${table}" WHERE "${column}" IS NOT NULL ORDER BY id FOR NO KEY UPDATE`
      )
      for (const row of rows) {
        const place = { column: name, rowId: row.id }
        try {
          const plaintext = openForResealing(current, currentKey, place, row.sealed)
          updates.push({ table, column, rowId: row.id, sealed: next.seal(place, plaintext) })
          report.resealed[name]++
          if (sealedVersion(row.sealed) === LEGACY_VERSION) report.fromVersion1++
        } catch (error) {
          if (!(error instanceof DbError)) throw error
          unreadable.push(place)
        }
      }
    }
    if (unreadable.length > 0) throw new RotationRefusedError(unreadable)
    for (const { table, column, rowId, sealed } of updates) {
      await client.query(`UPDATE "${table}" SET "${column}" = $1 WHERE id = $2`, [sealed, rowId])
    }
    await client.query('COMMIT')
    return report
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    await client.end()
  }
}
