/**
 * Each developer's share of an instance's callback senders. A developer whose server hangs, or
 * answers slowly, would otherwise hold every sender for CALLBACK_TIMEOUT_MS per attempt while
 * every other developer's callbacks wait behind its own: here it holds at most `limit` of them.
 *
 * A callback that finds its developer's share full is put off (queued again for later, not
 * attempted). When it comes back is spread by the developer's recent attempt time, one
 * `mean / limit` after another, which is about when its senders free up: a backlog of thousands is
 * put off about once each, not taken and put off again every few milliseconds.
 */
export class DeveloperShares {
  readonly #limit: number
  readonly #developers = new Map<number, DeveloperShare>()

  constructor (limit: number) {
    this.#limit = limit
  }

  /** Takes a sender for one of the developer's attempts; false when its share is full. */
  take (developerId: number): boolean {
    const share = this.#developers.get(developerId) ?? { inFlight: 0, meanMs: FIRST_ESTIMATE_MS, horizon: 0 }
    if (share.inFlight >= this.#limit) return false
    share.inFlight++
    this.#developers.set(developerId, share)
    return true
  }

  /** Gives back a sender taken with `take`, with how long its attempt took. */
  release (developerId: number, elapsedMs: number, now = Date.now()): void {
    const share = this.#developers.get(developerId)
    if (share === undefined) return
    share.inFlight--
    share.meanMs += WEIGHT * (elapsedMs - share.meanMs)
    if (share.inFlight === 0 && share.horizon <= now) this.#developers.delete(developerId)
  }

  /** How long a callback that found the developer's share full is put off, in milliseconds. */
  putOff (developerId: number, now = Date.now()): number {
    const share = this.#developers.get(developerId)
    if (share === undefined) return 0
    share.horizon = Math.max(share.horizon, now) + Math.max(share.meanMs / this.#limit, MIN_GAP_MS)
    return Math.ceil(share.horizon - now)
  }

  /** Senders the developer holds now (for tests and metrics). */
  inFlight (developerId: number): number {
    return this.#developers.get(developerId)?.inFlight ?? 0
  }
}

interface DeveloperShare {
  inFlight: number
  /** The developer's recent attempt time (moving average). */
  meanMs: number
  /** When the last callback put off comes back. */
  horizon: number
}

// Before an attempt has ended: a guess that errs short (a callback put off too early is put off
// again; one put off too late waits for nothing).
const FIRST_ESTIMATE_MS = 1000
const WEIGHT = 0.2
const MIN_GAP_MS = 1
