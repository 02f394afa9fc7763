import type { Db } from '@beacon/db'
import type { InAppGrant } from './token.js'

/** Where a developer stands now: what decides whether its tokens and sockets still admit anyone. */
export interface DeveloperStanding {
  enabled: boolean
  /** Incremented by every disable, rotation and lost grant: a token of an earlier epoch is void. */
  tokenEpoch: number
  applicationIds: ReadonlySet<number>
}

/** The standing of each developer asked for that still exists. */
export async function developerStandings (db: Db, developerIds: number[]): Promise<Map<number, DeveloperStanding>> {
  const rows = await db.developer.findMany({
    where: { id: { in: [...new Set(developerIds)] } },
    select: { id: true, enabled: true, tokenEpoch: true, applications: { select: { applicationId: true } } }
  })
  return new Map(rows.map((row) => [row.id, {
    enabled: row.enabled,
    tokenEpoch: row.tokenEpoch,
    applicationIds: new Set(row.applications.map((grant) => grant.applicationId))
  }]))
}

/**
 * Whether a token (or a socket opened with it) still admits its holder: the developer exists, is
 * enabled, has not been disabled, rotated or ungranted since the token was issued (its epoch is
 * the same), and may address the application.
 */
export function admits (standing: DeveloperStanding | undefined, grant: InAppGrant): boolean {
  return standing !== undefined && standing.enabled && standing.tokenEpoch === grant.tokenEpoch &&
    standing.applicationIds.has(grant.applicationId)
}

export async function isAdmitted (db: Db, grant: InAppGrant): Promise<boolean> {
  return admits((await developerStandings(db, [grant.developerId])).get(grant.developerId), grant)
}
