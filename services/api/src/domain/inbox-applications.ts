import type { Db } from '@beacon/db'
import { badRequest } from '../errors.js'
import { parseNumericId } from './applications.js'

/**
 * Beacon's internal ids of the applications with PowerAuth ids `appIds`, in one query; repeats
 * collapse. The first unknown one is a 400 naming it, so that nothing is written for a typo.
 */
export async function requireInboxApplications (db: Db, appIds: Array<number | string>): Promise<number[]> {
  const wanted = [...new Set(appIds.map(parseNumericId))]
  const found = await db.application.findMany({ where: { appId: { in: wanted } }, select: { id: true, appId: true } })
  const byAppId = new Map(found.map((application) => [application.appId, application.id]))
  const missing = wanted.find((appId) => !byAppId.has(appId))
  if (missing !== undefined) throw badRequest(`Application with appId ${missing} does not exist`)
  return wanted.map((appId) => byAppId.get(appId) as number)
}

/** `applications=1,2` or `applications=1&applications=2` as PowerAuth application ids. */
export function splitApplicationsQuery (applications: string | string[]): string[] {
  return (Array.isArray(applications) ? applications : [applications]).flatMap((part) => part.split(','))
}
