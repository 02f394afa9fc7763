import type { Application, Db } from '@beacon/db'
import { badRequest } from '../errors.js'

/** A NumericId from a request (number or numeric string; the schema already checked its form). */
export function parseNumericId (value: number | string): bigint {
  return BigInt(value)
}

/** The application with PowerAuth id `appId`, or a 400 naming it. */
export async function requireApplicationByAppId (db: Db, appId: number | string): Promise<Application> {
  const application = await db.application.findUnique({ where: { appId: parseNumericId(appId) } })
  if (application === null) throw badRequest(`Application with appId ${String(appId)} does not exist`)
  return application
}

const APPLICATION_ID = { name: 'beacon-application-id', text: 'SELECT id FROM application WHERE app_id = $1::bigint' }

/**
 * Beacon's internal id of the application with PowerAuth id `appId`, or a 400 naming it: one
 * indexed lookup through the pool, the sealed credentials left unread (the send path).
 */
export async function requireApplicationIdByAppId (db: Db, appId: number | string): Promise<number> {
  const { rows } = await db.pool.query<{ id: number }>({ ...APPLICATION_ID, values: [parseNumericId(appId).toString()] })
  if (rows.length === 0) throw badRequest(`Application with appId ${String(appId)} does not exist`)
  return rows[0]!.id
}

/** The application with Beacon's internal `id`, or a 400 naming it. */
export async function requireApplicationById (db: Db, id: number | string): Promise<Application> {
  const numeric = parseNumericId(id)
  const application = numeric > 2147483647n ? null : await db.application.findUnique({ where: { id: Number(numeric) } })
  if (application === null) throw badRequest(`Application with id ${String(id)} does not exist`)
  return application
}
