import type pg from 'pg'
import { DbError } from '../errors.js'
import { openLegacy } from './legacy-format.js'
import { createSecretBox, LEGACY_VERSION } from './secret-box.js'
import { SEALED_COLUMN_NAMES, SEALED_COLUMNS, type SealedColumn, type SealedPlace } from './sealed-places.js'

export interface LegacyResealReport {
  /** Version-1 values re-sealed as version 2, per column. */
  resealed: Record<SealedColumn, number>
  /** Version-1 values this master key cannot open: unusable in either format, left as they are. */
  unreadable: SealedPlace[]
  /** Values replaced between the read and the update (another instance's migration, a new upload): left to the other writer. */
  replacedMeanwhile: number
}

/**
 * Re-seals every version-1 value (MASTER_KEY itself, no place bound) as version 2 (per-column key,
 * bound to its row). Idempotent; each row is one conditional UPDATE, its own transaction, that
 * applies only while the row still holds the bytes that were read, so several api instances
 * starting together, or an admin replacing a credential meanwhile, never lose a write.
 */
export async function resealLegacySecrets (pool: pg.Pool, masterKey: Buffer): Promise<LegacyResealReport> {
  const box = createSecretBox(masterKey)
  const report: LegacyResealReport = {
    resealed: Object.fromEntries(SEALED_COLUMN_NAMES.map((name) => [name, 0])) as Record<SealedColumn, number>,
    unreadable: [],
    replacedMeanwhile: 0
  }
  for (const name of SEALED_COLUMN_NAMES) {
    const { table, column } = SEALED_COLUMNS[name]
    const { rows } = await pool.query<{ id: number, sealed: Buffer }>(
      `SELECT id, "${column}" AS sealed FROM "${table}" WHERE substring("${column}" from 1 for 1) = $1 ORDER BY id`,
      [Buffer.of(LEGACY_VERSION)]
    )
    for (const row of rows) {
      const place = { column: name, rowId: row.id }
      let plaintext: Buffer
      try {
        plaintext = openLegacy(masterKey, place, row.sealed)
      } catch (error) {
        if (!(error instanceof DbError)) throw error
        report.unreadable.push(place)
        continue
      }
      const { rowCount } = await pool.query(
        `UPDATE "${table}" SET "${column}" = $1 WHERE id = $2 AND "${column}" = $3`,
        [box.seal(place, plaintext), row.id, row.sealed]
      )
      if (rowCount === 1) report.resealed[name]++
      else report.replacedMeanwhile++
    }
  }
  return report
}
