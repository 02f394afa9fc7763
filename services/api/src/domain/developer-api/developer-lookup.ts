import { SealedSecretError, type Db, type SecretBox } from '@beacon/db'
import type { FastifyBaseLogger } from 'fastify'

/** The developer a verified request of the signed API comes from (`request.developer`). */
export interface SignedDeveloper {
  id: number
  key: string
  name: string
  callbackUrl: string | null
  /** Beacon's internal ids of the applications (carriers) the developer may address. */
  applicationIds: number[]
  /** The token epoch: in-app tokens carry it and die when it is incremented (in-app/admission.ts). */
  tokenEpoch: number
}

export interface SigningCandidate {
  developer: SignedDeveloper
  /** The opened secret: the HMAC key of the developer's signatures. */
  secret: Buffer
}

/**
 * Why a key has no candidate; for the log only, the client hears the same 401 either way.
 * `unreadable`: the stored secret does not open as this developer's (copied from another row,
 * sealed under another MASTER_KEY, altered): nothing can verify the request.
 */
export type LookupMiss = 'unknown' | 'disabled' | 'unreadable'

interface DeveloperRow {
  id: number
  key: string
  name: string
  callbackUrl: string | null
  enabled: boolean
  secret: Buffer
  tokenEpoch: number
  applicationIds: number[]
}

// Every signed request reads this: a named statement through the pool, one round trip with the
// developer's grants. Through Prisma (findUnique with the grants) it cost ~8 times the CPU.
const SIGNING_DEVELOPER = {
  name: 'beacon-signing-developer',
  text: `SELECT d.id, d.key, d.name, d.callback_url AS "callbackUrl", d.enabled, d.secret, d.token_epoch AS "tokenEpoch",
                array(SELECT g.application_id FROM developer_application g WHERE g.developer_id = d.id ORDER BY g.application_id) AS "applicationIds"
           FROM developer d WHERE d.key = $1`
}

/** The enabled developer with this key and its secret, or why there is none. */
export async function findSigningDeveloper (db: Db, secrets: SecretBox, key: string, log: FastifyBaseLogger): Promise<SigningCandidate | LookupMiss> {
  const { rows: [row] } = await db.pool.query<DeveloperRow>({ ...SIGNING_DEVELOPER, values: [key] })
  if (row === undefined) return 'unknown'
  if (!row.enabled) return 'disabled'
  let secret: Buffer
  try {
    secret = secrets.open({ column: 'developer.secret', rowId: row.id }, row.secret)
  } catch (error) {
    if (!(error instanceof SealedSecretError)) throw error
    // An error, not the client's fault: the database holds a secret this developer cannot use.
    log.error({ developerId: row.id, developerKey: row.key, code: error.code, column: error.column },
      'the developer\'s sealed secret cannot be opened; its signed requests are refused until the secret is rotated')
    return 'unreadable'
  }
  return {
    developer: {
      id: row.id,
      key: row.key,
      name: row.name,
      callbackUrl: row.callbackUrl,
      applicationIds: row.applicationIds,
      tokenEpoch: row.tokenEpoch
    },
    secret
  }
}
