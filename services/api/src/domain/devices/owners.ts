import type { ActivationStatus } from '@beacon/db'
import type { PowerAuthClient } from '../powerauth/client.js'

/** Who owns an activation and in which state it is, as stored on a DeviceActivation row. */
export interface ActivationOwner {
  activationId: string
  userId: string | null
  activationStatus: ActivationStatus
}

export interface CallerStatement {
  userId?: string | undefined
  activationStatus?: ActivationStatus | undefined
}

/**
 * With a PowerAuth server, its answer is the truth and what the caller said is ignored (a caller
 * must not bind a token to someone else's user id). Without one, the caller's word stands; a
 * missing status counts as ACTIVE. Runs before any transaction: a slow PowerAuth server must not
 * keep a database connection and its row locks busy.
 */
export async function resolveActivationOwners (
  powerAuth: PowerAuthClient | null, activationIds: string[], caller: CallerStatement
): Promise<ActivationOwner[]> {
  if (powerAuth === null) {
    return activationIds.map((activationId) => ({
      activationId,
      userId: caller.userId ?? null,
      activationStatus: caller.activationStatus ?? 'ACTIVE'
    }))
  }
  const owners: ActivationOwner[] = []
  let next = 0
  let failed = false
  // However many rounds the activations take, the look-ups of one request end within this.
  const deadline = AbortSignal.timeout(LOOKUP_DEADLINE_TIMEOUTS * powerAuth.timeoutMs)
  // A few at a time, not one request per activation at once (a multi registration names up to
  // 100): and none started after one failed, whose error answers the request anyway.
  const lookUp = async () => {
    while (!failed && next < activationIds.length) {
      const index = next++
      const activationId = activationIds[index]!
      try {
        owners[index] = { activationId, ...await powerAuth.activationStatus(activationId, deadline) }
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_LOOKUPS, activationIds.length) }, lookUp))
  return owners
}

/** PowerAuth status calls of one registration in flight at once. */
export const CONCURRENT_LOOKUPS = 8

/**
 * The look-ups of one registration end within this many POWERAUTH_TIMEOUT_MS in all: 100
 * activations take 13 rounds of 8, and a PowerAuth server answering each just within its timeout
 * held the request (and its client) for 13 timeouts. A healthy server answers them all in a
 * fraction of one.
 */
export const LOOKUP_DEADLINE_TIMEOUTS = 2
