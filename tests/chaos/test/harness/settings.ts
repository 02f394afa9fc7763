/**
 * The settings every fault case runs with: short enough that a case takes seconds, long enough
 * that a fault is a real outage to the services (several retry rounds). Names the services do
 * not know yet are ignored by them.
 */

/** Every provider answer takes this long, so work is queued and in flight when a fault hits. */
export const PROVIDER_DELAY_MS = 300

/** How long NATS or PostgreSQL stays down: many retry and reconnect rounds of the settings below. */
export const OUTAGE_MS = 8000

export const dispatcherEnv: Record<string, string> = {
  // A killed dispatcher's commands go to another after this (the default is 30 s).
  COMMAND_ACK_WAIT_MS: '2000',
  // Three deliveries of a failing command last ~3 s of backoff here: an 8 s outage spends them
  // all, as ten deliveries are spent by the ~4-minute outage the issue measured with the defaults.
  COMMAND_MAX_DELIVER: '3',
  RETRY_BASE_DELAY_MS: '100',
  RETRY_MAX_DELAY_MS: '1000',
  SHUTDOWN_TIMEOUT_MS: '3000',
  LOG_LEVEL: 'info'
}

export const apiEnv: Record<string, string> = {
  // The outbox sweeper (every api instance) publishes what a dead or cut-off instance stored but
  // did not publish: after the grace it leaves to the request that wrote the row, plus a round.
  OUTBOX_SWEEP_INTERVAL_MS: '200',
  OUTBOX_PUBLISH_GRACE_MS: '1000',
  LOG_LEVEL: 'info'
}

/** How long a case waits for every message and campaign to reach a terminal state. */
export const SETTLE_TIMEOUT_MS = 45_000
