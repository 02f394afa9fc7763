/**
 * Each developer's share of an instance's callback senders. A developer whose server hangs, or
 * answers slowly, would otherwise hold every sender for CALLBACK_TIMEOUT_MS per attempt while
 * every other developer's callbacks wait behind its own.
 *
 * A developer holds at most `limit` senders, and fewer when others are busy too: the share is
 * `total / (developers busy + 2)` (the developer asking, the others busy, one to come), at least
 * one. An eighth of the senders are kept for developers that hold none: a developer that holds
 * one takes another only while more than that eighth is free. Eleven developers whose servers
 * hang at the same moment (at the defaults) leave senders for the others; once their first
 * attempts have timed out and they take again, by the share, it takes as many as there are senders.
 *
 * A callback that finds its developer's share full is put off (queued again for later, not
 * attempted). When it comes back is spread by how long the developer's attempts take (their
 * recent mean, or the age of the oldest in flight when that is longer: a server that just began
 * to hang), one `time / share` after another, which is about when its senders free up, and at
 * most `maxPutOffMs` ahead (past it, anywhere in its second half), so that a server that recovers
 * is not left waiting for a schedule made while it hung. Times are the monotonic clock's.
 */
export class DeveloperShares {
  readonly #limit: number
  readonly #total: number
  readonly #maxPutOffMs: number
  readonly #developers = new Map<number, DeveloperShare>()
  #busy = 0
  #held = 0

  constructor ({ limit, total, maxPutOffMs }: { limit: number, total: number, maxPutOffMs: number }) {
    this.#limit = limit
    this.#total = total
    this.#maxPutOffMs = maxPutOffMs
  }

  /** Takes a sender for one of the developer's attempts; undefined when its share is full. */
  take (developerId: number, now = performance.now()): Sender | undefined {
    const share = this.#developers.get(developerId) ?? { attempts: new Set<Sender>(), meanMs: FIRST_ESTIMATE_MS, horizon: 0 }
    if (share.attempts.size >= this.#shareOf(share)) return undefined
    const free = this.#total - this.#held
    if (free <= 0 || (share.attempts.size > 0 && free <= Math.ceil(this.#total / 8))) return undefined
    const sender = { developerId, startedAt: now }
    if (share.attempts.size === 0) this.#busy++
    this.#held++
    share.attempts.add(sender)
    this.#developers.set(developerId, share)
    return sender
  }

  /** Gives back a sender taken with `take`, once its attempt has ended. */
  release (sender: Sender, now = performance.now()): void {
    const share = this.#developers.get(sender.developerId)
    if (share === undefined || !share.attempts.delete(sender)) return
    this.#held--
    if (share.attempts.size === 0) this.#busy--
    share.meanMs += WEIGHT * (now - sender.startedAt - share.meanMs)
    if (share.attempts.size === 0 && share.horizon <= now) this.#developers.delete(sender.developerId)
  }

  /** How long a callback that found the developer's share full is put off, in milliseconds. */
  putOff (developerId: number, now = performance.now(), random = Math.random): number {
    const share = this.#developers.get(developerId)
    if (share === undefined) return 0
    let oldest = now
    for (const sender of share.attempts) oldest = Math.min(oldest, sender.startedAt)
    const gap = Math.max(share.meanMs, now - oldest) / this.#shareOf(share)
    const next = Math.max(share.horizon, now) + Math.max(gap, MIN_GAP_MS)
    if (next <= now + this.#maxPutOffMs) {
      share.horizon = next
      return Math.ceil(next - now)
    }
    // Past the cap, spread over its second half: a backlog put off together would come back together.
    share.horizon = now + this.#maxPutOffMs
    return Math.ceil(this.#maxPutOffMs * (0.5 + random() / 2))
  }

  /** Senders the developer holds now. */
  inFlight (developerId: number): number {
    return this.#developers.get(developerId)?.attempts.size ?? 0
  }

  #shareOf (share: DeveloperShare): number {
    const othersBusy = this.#busy - (share.attempts.size > 0 ? 1 : 0)
    return Math.min(this.#limit, Math.max(1, Math.floor(this.#total / (othersBusy + 2))))
  }
}

/** A sender taken for one attempt. */
export interface Sender {
  readonly developerId: number
  readonly startedAt: number
}

interface DeveloperShare {
  attempts: Set<Sender>
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
