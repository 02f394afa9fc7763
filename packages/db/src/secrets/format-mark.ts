import type pg from 'pg'
import { DbError, DbErrorCode } from '../errors.js'
import { HEADER_BYTES } from './sealed-layout.js'
import { SEALED_COLUMN_NAMES, SEALED_COLUMNS, type SealedPlace } from './sealed-places.js'

type Queryable = Pick<pg.ClientBase, 'query'>

/**
 * The one-time upgrade from format 1, as `sealed_secret_format` records it. `retired`: done, a
 * version-1 value is refused everywhere. `pending`: the database held version-1 values when the
 * migration ran, to be re-sealed once. `missing`: the row was deleted (by hand, or by someone who
 * wants the upgrade to run again): treated as retired.
 */
export type Version1State = 'retired' | 'pending' | 'missing'

// The pg SQLSTATE of a missing table: a database the migration 20261201010000_sealed_secret_format has not reached.
const UNDEFINED_TABLE = '42P01'

/** The recorded state; `lock` takes the row for the rest of the caller's transaction (one upgrade at a time). */
export async function readVersion1State (client: Queryable, options: { lock: boolean }): Promise<Version1State> {
  try {
    const { rows } = await client.query<{ retired: boolean }>(
      `SELECT version_1_retired_at IS NOT NULL AS retired FROM sealed_secret_format WHERE id = 1${options.lock ? ' FOR UPDATE' : ''}`
    )
    if (rows[0] === undefined) return 'missing'
    return rows[0].retired ? 'retired' : 'pending'
  } catch (cause) {
    if ((cause as { code?: unknown }).code !== UNDEFINED_TABLE) throw cause
    throw new DbError(DbErrorCode.SCHEMA_OUTDATED,
      'the database has no sealed_secret_format table: apply the migrations (npm run db:migrate) before starting', { cause })
  }
}

/** Records the upgrade as done (again, when the row was missing); a date already there is kept. */
export async function markVersion1Retired (client: Queryable): Promise<void> {
  await client.query(
    `INSERT INTO sealed_secret_format (id, version_1_retired_at) VALUES (1, now())
     ON CONFLICT (id) DO UPDATE SET version_1_retired_at = COALESCE(sealed_secret_format.version_1_retired_at, EXCLUDED.version_1_retired_at)`
  )
}

/** For readers that do not upgrade (the dispatcher): true once version-1 values are refused for good. */
export async function isVersion1Retired (client: Queryable): Promise<boolean> {
  return await readVersion1State(client, { lock: false }) !== 'pending'
}

// The version byte as sealedVersion reads it: values shorter than a header have no version.
function ofVersion (column: string): string {
  return `length("${column}") >= ${HEADER_BYTES} AND substring("${column}" from 1 for 1) = $1`
}

/** Every place holding a value of this format version, column by column, by row id. */
export async function findPlacesOfVersion (client: Queryable, version: number): Promise<SealedPlace[]> {
  const places: SealedPlace[] = []
  for (const name of SEALED_COLUMN_NAMES) {
    const { table, column } = SEALED_COLUMNS[name]
    const { rows } = await client.query<{ id: number }>(`SELECT id FROM "${table}" WHERE ${ofVersion(column)} ORDER BY id`, [Buffer.of(version)])
    for (const { id } of rows) places.push({ column: name, rowId: id })
  }
  return places
}

/** Whether any sealed column holds a value of this format version. */
export async function holdsVersion (client: Queryable, version: number): Promise<boolean> {
  for (const name of SEALED_COLUMN_NAMES) {
    const { table, column } = SEALED_COLUMNS[name]
    const { rowCount } = await client.query(`SELECT 1 FROM "${table}" WHERE ${ofVersion(column)} LIMIT 1`, [Buffer.of(version)])
    if (rowCount !== null && rowCount > 0) return true
  }
  return false
}
