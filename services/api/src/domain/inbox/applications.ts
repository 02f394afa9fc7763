import { appIdText, isAppIdText, MAX_INBOX_MESSAGE_APPLICATIONS } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { badRequest } from '../../errors.js'

/**
 * Beacon's internal ids of the applications with PowerAuth ids `appIds`, in one query; repeats
 * collapse. The first unknown one is a 400 naming it, so that nothing is written for a typo.
 */
export async function requireInboxApplications (db: Db, appIds: Array<number | string>): Promise<number[]> {
  const wanted = [...new Set(appIds.map(appIdText))]
  const found = await db.application.findMany({ where: { appId: { in: wanted } }, select: { id: true, appId: true } })
  const byAppId = new Map(found.map((application) => [application.appId, application.id]))
  const missing = wanted.find((appId) => !byAppId.has(appId))
  if (missing !== undefined) throw badRequest(`Application with appId ${missing} does not exist`)
  return wanted.map((appId) => byAppId.get(appId) as number)
}

/**
 * `applications=1,2` or `applications=1&applications=2` as PowerAuth application ids: split at
 * commas as PowerAuth does, each part an application id, at most MAX_INBOX_MESSAGE_APPLICATIONS.
 */
export function splitApplicationsQuery (applications: string | string[]): string[] {
  const parts = (Array.isArray(applications) ? applications : [applications]).flatMap((part) => part.split(','))
  const invalid = parts.find((part) => !isAppIdText(part))
  if (invalid !== undefined) {
    throw badRequest(`querystring.applications must be a comma-separated list of application ids; ${JSON.stringify(invalid)} is not one`)
  }
  if (parts.length > MAX_INBOX_MESSAGE_APPLICATIONS) {
    throw badRequest(`querystring.applications must be a comma-separated list of 1 to ${MAX_INBOX_MESSAGE_APPLICATIONS} application ids`)
  }
  return parts
}
