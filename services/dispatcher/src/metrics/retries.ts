import type { ProviderPlatform } from '@beacon/contracts'
import { counter, histogram } from '@beacon/metrics'
import { PROVIDER_LABEL } from './sends.js'

const retries = counter({
  name: 'beacon_send_retries_total',
  help: 'Sends to one device scheduled for another attempt (a 429, a 5xx, no answer), by provider',
  labelNames: ['provider'] as const
})

const waits = histogram({
  name: 'beacon_retry_after_wait_seconds',
  help: 'Waits before a retry that the provider imposed with Retry-After (throttling), by provider',
  labelNames: ['provider'] as const,
  // From a second to RETRY_AFTER_MAX_MS's upper bound (an hour).
  buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]
})

function retriesOf (platform: ProviderPlatform) {
  const retried = retries.labels(PROVIDER_LABEL[platform])
  const waited = waits.labels(PROVIDER_LABEL[platform])
  return {
    /** One retry scheduled in `delayMs`; `imposed` when the provider asked for the wait. */
    scheduled (delayMs: number, imposed: boolean): void {
      retried.inc()
      if (imposed) waited.observe(delayMs / 1000)
    }
  }
}

export const sendRetries: Record<ProviderPlatform, ReturnType<typeof retriesOf>> = { APNS: retriesOf('APNS'), FCM: retriesOf('FCM') }
