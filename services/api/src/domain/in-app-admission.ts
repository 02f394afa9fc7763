import type { Db } from '@beacon/db'
import type { InAppGrant } from './in-app-token.js'

/** Where a developer stands now: what decides whether its tokens and sockets still admit anyone. */
export interface DeveloperStanding {
  enabled: boolean
  /** secret_rotated_at in epoch ms: a token issued under an earlier secret is void. */
  secretVersion: number
  applicationIds: ReadonlySet<number>
}

/** The standing of each developer asked for that still exists. */
export async function developerStandings (db: Db, developerIds: number[]): Promise<Map<number, DeveloperStanding>> {
  const rows = await db.developer.findMany({
    where: { id: { in: [...new Set(developerIds)] } },
    select: { id: true, enabled: true, secretRotatedAt: true, applications: { select: { applicationId: true } } }
  })
  return new Map(rows.map((row) => [row.id, {
    enabled: row.enabled,
    secretVersion: row.secretRotatedAt.getTime(),
    applicationIds: new Set(row.applications.map((grant) => grant.applicationId))
  }]))
}

/**
 * Whether a token (or a socket opened with it) still admits its holder: the developer exists, is
 * enabled, has not rotated its secret since, and may still address the application.
 */
export function admits (standing: DeveloperStanding | undefined, grant: InAppGrant): boolean {
  return standing !== undefined && standing.enabled && standing.secretVersion === grant.secretVersion &&
    standing.applicationIds.has(grant.applicationId)
}

export async function isAdmitted (db: Db, grant: InAppGrant): Promise<boolean> {
  return admits((await developerStandings(db, [grant.developerId])).get(grant.developerId), grant)
}
