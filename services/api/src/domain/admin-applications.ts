import type { ApplicationSummary } from '@beacon/contracts'
import { Prisma, type Application, type Db } from '@beacon/db'
import { badRequest } from '../errors.js'
import { parseNumericId } from './applications.js'
import type { PowerAuthClient } from './powerauth-client.js'

type SummaryRow = Pick<Application, 'id' | 'appId' | 'name' | 'apnsPrivateKey' | 'fcmServiceAccount'>

// A provider counts as configured when its sealed key is present: update sets every column of a
// provider in one statement and remove clears them all, so the key stands for the whole set.
const summaryColumns = { id: true, appId: true, name: true, apnsPrivateKey: true, fcmServiceAccount: true } as const

/** The list entry of an application; appIds are below 2^53 (the request schema caps them). */
export function toSummary (row: SummaryRow): ApplicationSummary {
  return {
    id: row.id,
    appId: Number(row.appId),
    appName: row.name,
    ios: row.apnsPrivateKey !== null,
    android: row.fcmServiceAccount !== null
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
    where: { appId: { in: candidates.map((candidate) => BigInt(candidate.id)) } },
    select: { appId: true }
  })
  const taken = new Set(configured.map((row) => Number(row.appId)))
  return candidates
    .filter((candidate) => !taken.has(candidate.id))
    .map((candidate) => ({ id: candidate.id, appId: null, appName: candidate.name, ios: null, android: null }))
}

/** Creates the Beacon application for PowerAuth application `appId`; its name defaults to the id. */
export async function createApplication (db: Db, appId: number | string, appName: string | undefined): Promise<number> {
  const numericAppId = parseNumericId(appId)
  try {
    const created = await db.application.create({
      data: { appId: numericAppId, name: appName ?? numericAppId.toString() },
      select: { id: true }
    })
    return created.id
  } catch (error) {
    // The unique index decides, so two concurrent creates cannot both succeed.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw badRequest(`Application with appId ${numericAppId} already exists`, { cause: error })
    }
    throw error
  }
}
