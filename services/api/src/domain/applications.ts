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

/** The application with Beacon's internal `id`, or a 400 naming it. */
export async function requireApplicationById (db: Db, id: number | string): Promise<Application> {
  const numeric = parseNumericId(id)
  const application = numeric > 2147483647n ? null : await db.application.findUnique({ where: { id: Number(numeric) } })
  if (application === null) throw badRequest(`Application with id ${String(id)} does not exist`)
  return application
}
