import { appIdText } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { literalRefusal } from '@beacon/outbound'
import type { CallbackPolicy } from '../../config.js'
import { badRequest } from '../../errors.js'
import { normaliseCarrierDomain } from '../admin/applications.js'

/** The applications a developer may address, as the admin API names them. */
export interface DeveloperGrants {
  /** PowerAuth application ids (number or numeric string). */
  applications?: Array<number | string> | undefined
  /** Carrier domains, any case. */
  carriers?: string[] | undefined
}

/**
 * The callback URL as stored, or a 400 saying why not. Credentials in the URL are refused: the
 * URL is shown by list and detail and may be logged, which no password should be. http only when
 * the policy allows it (local development); an IP literal host must be an address callbacks may
 * reach. Host names are checked when a callback connects, against the addresses they resolve to
 * then (callbacks/delivery.ts): checking them here would prove nothing about later.
 */
export function checkCallbackUrl (text: string, policy: CallbackPolicy): string {
  let url: URL
  try {
    url = new URL(text)
  } catch (cause) {
    throw badRequest('requestObject.callbackUrl must be an absolute http(s) URL', { cause })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badRequest('requestObject.callbackUrl must be an absolute http(s) URL')
  }
  if (url.protocol === 'http:' && !policy.allowHttp) {
    throw badRequest('requestObject.callbackUrl must be an https URL')
  }
  if (url.username !== '' || url.password !== '') {
    throw badRequest('requestObject.callbackUrl must not contain a user name or password')
  }
  const refusal = literalRefusal(url.hostname, policy)
  if (refusal !== null) {
    throw badRequest(`requestObject.callbackUrl must not point to a non-public address (${refusal.range})`)
  }
  // As parsed: tabs and line breaks the URL parser drops never reach storage, lists or logs.
  return url.href
}

/**
 * Beacon's internal ids of the granted applications, duplicates removed. Every appId and carrier
 * must exist; the 400 names all the missing ones at once.
 */
export async function resolveGrants (db: Db, grants: DeveloperGrants): Promise<number[]> {
  const appIds = [...new Set((grants.applications ?? []).map(appIdText))]
  const carriers = [...new Set((grants.carriers ?? []).map(normaliseCarrierDomain))]
  const ids = new Set<number>()
  if (appIds.length > 0) {
    const rows = await db.application.findMany({ where: { appId: { in: appIds } }, select: { id: true, appId: true } })
    const found = new Set(rows.map((row) => row.appId))
    const missing = appIds.filter((appId) => !found.has(appId))
    if (missing.length > 0) {
      throw badRequest(missing.length === 1
        ? `Application with appId ${missing.join('')} does not exist`
        : `Applications with appId ${missing.join(', ')} do not exist`)
    }
    for (const row of rows) ids.add(row.id)
  }
  if (carriers.length > 0) {
    const rows = await db.application.findMany({ where: { carrierDomain: { in: carriers } }, select: { id: true, carrierDomain: true } })
    const found = new Set(rows.map((row) => row.carrierDomain))
    const missing = carriers.filter((carrier) => !found.has(carrier))
    if (missing.length > 0) {
      throw badRequest(`No application has the carrier domain ${missing.join(', ')}`)
    }
    for (const row of rows) ids.add(row.id)
  }
  return [...ids]
}
