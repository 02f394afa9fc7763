// Rows with sealed values written by SQL, the way a database upgraded from an older Beacon holds
// them, and a snapshot of every sealed value for before/after comparisons.
import type pg from 'pg'
import { SEALED_COLUMN_NAMES, SEALED_COLUMNS, placeLabel, type SealedColumn } from '../../src/secrets/sealed-places.js'

type Queryable = Pick<pg.Client, 'query'>

export async function insertApplication (client: Queryable, appId: number, sealed: { apns?: Buffer, fcm?: Buffer }): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO application (app_id, name, apns_private_key, fcm_service_account, updated_at)
     VALUES ($1, $2, $3, $4, now()) RETURNING id`,
    [appId, `app ${appId}`, sealed.apns ?? null, sealed.fcm ?? null]
  )
  return rows[0]!.id
}

export async function insertDeveloper (client: Queryable, key: string, secret: Buffer): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    'INSERT INTO developer (key, name, secret, updated_at) VALUES ($1, $1, $2, now()) RETURNING id', [key, secret]
  )
  return rows[0]!.id
}

export interface StoredValue { column: SealedColumn, rowId: number, sealed: Buffer }

/** Every non-null sealed value, keyed by `column:row`. */
export async function sealedValues (client: Queryable): Promise<Map<string, StoredValue>> {
  const values = new Map<string, StoredValue>()
  for (const name of SEALED_COLUMN_NAMES) {
    const { table, column } = SEALED_COLUMNS[name]
    const { rows } = await client.query<{ id: number, sealed: Buffer }>(`SELECT id, "${column}" AS sealed FROM "${table}" WHERE "${column}" IS NOT NULL`)
    for (const row of rows) values.set(placeLabel({ column: name, rowId: row.id }), { column: name, rowId: row.id, sealed: row.sealed })
  }
  return values
}

/** The migration that records the one-time upgrade from format 1: databases "of before" stop short of it. */
export const FORMAT_MIGRATION = '20261201010000_sealed_secret_format'

/** The recorded upgrade: its date, null while pending, 'missing' when the row is gone. */
export async function version1Mark (client: Queryable): Promise<Date | null | 'missing'> {
  const { rows } = await client.query<{ at: Date | null }>('SELECT version_1_retired_at AS at FROM sealed_secret_format WHERE id = 1')
  return rows[0] === undefined ? 'missing' : rows[0].at
}
