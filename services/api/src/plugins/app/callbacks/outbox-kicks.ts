import type { FastifyInstance } from 'fastify'

export interface OutboxKicks {
  /** Wakes the outbox sweeper in `delayMs`, unless a wake-up is due before then. */
  (delayMs: number): void
  cancel (): void
}

/**
 * Wakes the outbox sweeper when the earliest callback copy this instance queued falls due, so
 * that a retry goes out on time rather than at the sweeper's next round (OUTBOX_SWEEP_INTERVAL_MS).
 * One timer, for the earliest: later copies are the sweeper's rounds' or a later wake-up's.
 */
export function outboxKicks (app: Pick<FastifyInstance, 'outbox'>): OutboxKicks {
  let timer: NodeJS.Timeout | undefined
  let due = Number.POSITIVE_INFINITY
  const kickAfter = (delayMs: number) => {
    const at = Date.now() + delayMs
    if (at >= due) return
    clearTimeout(timer)
    due = at
    timer = setTimeout(() => { due = Number.POSITIVE_INFINITY; app.outbox.kick() }, delayMs).unref()
  }
  return Object.assign(kickAfter, { cancel: () => { clearTimeout(timer); due = Number.POSITIVE_INFINITY } })
}
