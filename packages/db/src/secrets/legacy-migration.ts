import type pg from 'pg'
import { DbError, DbErrorCode } from '../errors.js'
import { findPlacesOfVersion, holdsVersion, markVersion1Retired, readVersion1State } from './format-mark.js'
import { openLegacy } from './legacy-format.js'
import { createSecretBox, LEGACY_VERSION, SEALED_VERSION } from './secret-box.js'
import { SEALED_COLUMN_NAMES, SEALED_COLUMNS, type SealedColumn, type SealedPlace } from './sealed-places.js'

type Queryable = Pick<pg.ClientBase, 'query'>

export interface ResealReport {
  /** Version-1 values re-sealed as version 2, per column. */
  resealed: Record<SealedColumn, number>
  /** Version-1 values this master key cannot open: unusable in either format, left as they are. */
  unreadable: SealedPlace[]
  /** Values replaced between the read and the update (a credential upload): left to the other writer. */
  replacedMeanwhile: number
}

/** This start did the one-time upgrade: every version-1 value re-sealed, the database marked. */
export interface UpgradedNow extends ResealReport { upgradedNow: true }

/** The upgrade was done before: version-1 values found now are refused, never re-sealed. */
export interface UpgradedBefore {
  upgradedNow: false
  /** Places holding a version-1 value: unusable until the credentials are uploaded (or the secret rotated) again. */
  refused: SealedPlace[]
  /**
   * Why the mark was set again by this start: its row was gone, or it was unset although the
   * database holds version-2 values (so the upgrade had happened: a database of a pre-release
   * build, or a mark reset by hand). null: it was set.
   */
  markRestored: null | 'row missing' | 'version-2 values present'
}

export type LegacyUpgradeReport = UpgradedNow | UpgradedBefore

/**
 * Re-seals every version-1 value (MASTER_KEY itself, no place bound) as version 2 (per-column key,
 * bound to its row). Each update applies only while the row still holds the bytes that were read,
 * so a credential uploaded meanwhile is never overwritten. Only `upgradeLegacySecretsOnce` calls
 * it, inside its transaction.
 */
export async function resealVersion1 (client: Queryable, masterKey: Buffer): Promise<ResealReport> {
  const box = createSecretBox(masterKey)
  const report: ResealReport = {
    resealed: Object.fromEntries(SEALED_COLUMN_NAMES.map((name) => [name, 0])) as Record<SealedColumn, number>,
    unreadable: [],
    replacedMeanwhile: 0
  }
  for (const name of SEALED_COLUMN_NAMES) {
    const { table, column } = SEALED_COLUMNS[name]
    const { rows } = await client.query<{ id: number, sealed: Buffer }>(
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
      const { rowCount } = await client.query(
        `UPDATE "${table}" SET "${column}" = $1 WHERE id = $2 AND "${column}" = $3`,
        [box.seal(place, plaintext), row.id, row.sealed]
      )
      if (rowCount === 1) report.resealed[name]++
      else report.replacedMeanwhile++
    }
  }
  return report
}

/**
 * The api's start: re-seals the version-1 values once, and records that it did. A version-1
 * value is bound to no place, so re-sealing one found later would bind a value planted from an old
 * backup (another developer's secret, another application's key) to the row it was planted in;
 * after the mark such values are only reported. The mark counts as set when its row is missing, or
 * when any version-2 value exists (only code that has done the upgrade writes those), so undoing
 * it by hand is not enough to re-open the upgrade. One transaction holding the mark's row: of
 * several instances starting at once, one upgrades and the others then find the mark set.
 */
export async function upgradeLegacySecretsOnce (pool: pg.Pool, masterKey: Buffer): Promise<LegacyUpgradeReport> {
  const client = await pool.connect()
  let failed: unknown
  try {
    await client.query('BEGIN')
    const state = await readVersion1State(client, { lock: true })
    const holdsVersion2 = state === 'pending' && await holdsVersion(client, SEALED_VERSION)
    const report: LegacyUpgradeReport = state === 'pending' && !holdsVersion2
      ? { upgradedNow: true, ...await resealVersion1(client, masterKey) }
      : {
          upgradedNow: false,
          refused: await findPlacesOfVersion(client, LEGACY_VERSION),
          markRestored: state === 'missing' ? 'row missing' : holdsVersion2 ? 'version-2 values present' : null
        }
    // A key that opens none of the version-1 values is almost surely the wrong MASTER_KEY (an
    // instance misconfigured during the rolling upgrade), not corruption of every value: recording
    // the upgrade now would have every later start, with the right key, refuse them all for good.
    // (A value replaced meanwhile was opened: the key is right.)
    if (report.upgradedNow && report.unreadable.length > 0 && report.replacedMeanwhile === 0 && Object.values(report.resealed).every((n) => n === 0)) {
      const places = report.unreadable.map((place) => `${place.column}:${place.rowId}`)
      throw new DbError(DbErrorCode.SECRET_UNREADABLE,
        `MASTER_KEY opens none of the ${places.length} sealed secret(s) of the version-1 format (${places.slice(0, 10).join(', ')}` +
        `${places.length > 10 ? ', …' : ''}): check that it is the key they were sealed under; nothing was changed. Were they all damaged, ` +
        'clear them before starting (the application\'s key columns to NULL, such a developer deleted)')
    }
    if (state !== 'retired') await markVersion1Retired(client)
    await client.query('COMMIT')
    return report
  } catch (error) {
    failed = error
    await client.query('ROLLBACK').catch(() => {})
    throw error
  } finally {
    // A connection whose transaction failed is not handed out again.
    client.release(failed instanceof Error ? failed : undefined)
  }
}
