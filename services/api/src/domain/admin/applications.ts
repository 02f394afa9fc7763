import { appIdAnswer, appIdText, type ApplicationSummary } from '@beacon/contracts'
import { Prisma, type Application, type Db } from '@beacon/db'
import { badRequest } from '../../errors.js'
import { requireApplicationByAppId } from '../applications/lookup.js'
import type { PowerAuthClient } from '../powerauth/client.js'

type SummaryRow = Pick<Application, 'id' | 'appId' | 'name' | 'apnsPrivateKey' | 'fcmServiceAccount' | 'carrierDomain'>

// A provider counts as configured when its sealed key is present: update sets every column of a
// provider in one statement and remove clears them all, so the key stands for the whole set.
const summaryColumns = {
  id: true, appId: true, name: true, apnsPrivateKey: true, fcmServiceAccount: true, carrierDomain: true
} as const

/** The list entry of an application: the provider flags under PowerAuth's older and newer names. */
export function toSummary (row: SummaryRow): ApplicationSummary {
  const ios = row.apnsPrivateKey !== null
  const android = row.fcmServiceAccount !== null
  return {
    id: row.id,
    appId: appIdAnswer(row.appId),
    appName: row.name,
    ios,
    android,
    apns: ios,
    fcm: android,
    ...(row.carrierDomain === null ? {} : { carrierDomain: row.carrierDomain })
  }
}

export async function listApplications (db: Db): Promise<ApplicationSummary[]> {
  const rows = await db.application.findMany({ select: summaryColumns, orderBy: { id: 'asc' } })
  return rows.map(toSummary)
}

/**
 * PowerAuth applications that no Beacon application refers to yet, shaped as PowerAuth push server
 * answers: the PowerAuth id in `id`, everything Beacon-specific null. Without a PowerAuth server
 * there is nothing to offer.
 */
export async function listUnconfiguredApplications (db: Db, powerAuth: PowerAuthClient | null): Promise<ApplicationSummary[]> {
  if (powerAuth === null) return []
  const candidates = await powerAuth.listApplications()
  if (candidates.length === 0) return []
  const configured = await db.application.findMany({
    where: { appId: { in: candidates.map((candidate) => candidate.id) } },
    select: { appId: true }
  })
  const taken = new Set(configured.map((row) => row.appId))
  return candidates
    .filter((candidate) => !taken.has(candidate.id))
    .map((candidate) => {
      const answer = appIdAnswer(candidate.id)
      return {
        // PowerAuth 1.0 read the PowerAuth id from `id` (a Long), newer versions from `appId`.
        id: typeof answer === 'number' ? answer : null,
        appId: candidate.numeric ? null : answer,
        appName: candidate.name,
        ios: null,
        android: null
      }
    })
}

/**
 * Creates the Beacon application for PowerAuth application `appId`; its name defaults to the id.
 * `carrierDomain` (any case) is stored in lower case.
 */
export async function createApplication (
  db: Db, appId: number | string, appName: string | undefined, carrierDomain?: string
): Promise<{ id: number, appId: string }> {
  const text = appIdText(appId)
  const domain = carrierDomain === undefined ? null : normaliseCarrierDomain(carrierDomain)
  try {
    return await db.application.create({
      data: { appId: text, name: appName ?? text, carrierDomain: domain },
      select: { id: true, appId: true }
    })
  } catch (error) {
    // The unique indexes decide, so two concurrent creates cannot both succeed; a second look
    // tells which of the two (appId, carrier domain) was taken.
    if (isUniqueViolation(error)) {
      const sameAppId = await db.application.findUnique({ where: { appId: text }, select: { id: true } })
      if (sameAppId !== null || domain === null) {
        throw badRequest(`Application with appId ${text} already exists`, { cause: error })
      }
      throw await carrierTaken(db, domain, error)
    }
    throw error
  }
}

/** DNS names are case-insensitive: one stored form, so the unique index sees every duplicate. */
export function normaliseCarrierDomain (domain: string): string {
  return domain.toLowerCase()
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002'

async function carrierTaken (db: Db, domain: string, cause: unknown) {
  const owner = await db.application.findUnique({ where: { carrierDomain: domain }, select: { appId: true } })
  const by = owner === null ? '' : ` by the application with appId ${owner.appId}`
  return badRequest(`Carrier domain ${domain} is already used${by}`, { cause })
}

/** Sets (or, with null, removes) the carrier domain of the application with PowerAuth id `appId`. */
export async function setCarrierDomain (db: Db, appId: number | string, carrierDomain: string | null): Promise<void> {
  const application = await requireApplicationByAppId(db, appId)
  const domain = carrierDomain === null ? null : normaliseCarrierDomain(carrierDomain)
  try {
    await db.application.update({ where: { id: application.id }, data: { carrierDomain: domain } })
  } catch (error) {
    if (isUniqueViolation(error) && domain !== null) throw await carrierTaken(db, domain, error)
    throw error
  }
}
