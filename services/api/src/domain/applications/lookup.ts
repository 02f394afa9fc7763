import { appIdAnswer, appIdText } from '@beacon/contracts'
import type { Application, Db } from '@beacon/db'
import { badRequest } from '../../errors.js'

/** A NumericId from a request (number or numeric string; the schema already checked its form). */
export function parseNumericId (value: number | string): bigint {
  return BigInt(value)
}

/** The application with PowerAuth id `appId` (`2` and `"2"` alike), or a 400 naming it. */
export async function requireApplicationByAppId (db: Db, appId: number | string): Promise<Application> {
  const application = await db.application.findUnique({ where: { appId: appIdText(appId) } })
  if (application === null) throw badRequest(`Application with appId ${appIdText(appId)} does not exist`)
  return application
}

/** The application with Beacon's internal `id`, or a 400 naming it. */
export async function requireApplicationById (db: Db, id: number | string): Promise<Application> {
  const numeric = parseNumericId(id)
  const application = numeric > 2147483647n ? null : await db.application.findUnique({ where: { id: Number(numeric) } })
  if (application === null) throw badRequest(`Application with id ${String(id)} does not exist`)
  return application
}

/** How an admin request names its application: `id` (PowerAuth 1.0) or `appId` (1.3 and later). */
export interface ApplicationRef {
  id?: number | string | undefined
  appId?: number | string | undefined
}

/**
 * The application an admin request names, by exactly one of `id` (Beacon's internal id, as the
 * PowerAuth 1.0 client sends it) and `appId` (the PowerAuth application id, 1.3 and later).
 * Both or neither is a 400: which one was meant cannot be guessed.
 */
export async function requireApplicationByRef (db: Db, ref: ApplicationRef): Promise<Application> {
  const { id, appId } = ref
  if (id !== undefined && appId !== undefined) {
    throw badRequest('requestObject must name the application by appId or by id, not both')
  }
  if (appId !== undefined) return await requireApplicationByAppId(db, appId)
  if (id !== undefined) return await requireApplicationById(db, id)
  throw badRequest('requestObject.appId is required (or, as PowerAuth 1.0 sends it, requestObject.id)')
}

/**
 * The order answers list application ids in: numeric ones by value (2 before 10, as they were
 * sorted when every id was a number), then text ones by code unit.
 */
export function compareAppIds (a: string, b: string): number {
  const x = appIdAnswer(a)
  const y = appIdAnswer(b)
  if (typeof x === 'number' && typeof y === 'number') return x - y
  if (typeof x === 'number') return -1
  if (typeof y === 'number') return 1
  return x < y ? -1 : x > y ? 1 : 0
}
