/**
 * Every column that holds a sealed secret, by its `table.column` name. A sealed value is bound to
 * its column (the key it is sealed under is derived for that column) and to its row (the row id
 * is authenticated with it), so a value copied to another row or column no longer opens.
 * The migration and the master-key rotation go through this list: a new sealed column is added here.
 */
export const SEALED_COLUMNS = {
  'application.apns_private_key': { table: 'application', column: 'apns_private_key' },
  'application.fcm_service_account': { table: 'application', column: 'fcm_service_account' },
  'developer.secret': { table: 'developer', column: 'secret' }
} as const

export type SealedColumn = keyof typeof SEALED_COLUMNS

export const SEALED_COLUMN_NAMES = Object.keys(SEALED_COLUMNS) as SealedColumn[]

/** Where a sealed value lives: its column and the `id` of its row. */
export interface SealedPlace {
  column: SealedColumn
  rowId: number
}

/** `developer.secret:42`: the associated data a value is sealed with, and how logs name its place. */
export function placeLabel ({ column, rowId }: SealedPlace): string {
  if (!(column in SEALED_COLUMNS)) throw new RangeError(`${String(column)} is not a sealed column`)
  if (!Number.isSafeInteger(rowId) || rowId < 0) throw new RangeError(`the row id of a sealed value must be a non-negative integer, got ${String(rowId)}`)
  return `${column}:${rowId}`
}
