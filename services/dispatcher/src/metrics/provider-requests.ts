import { histogram, LATENCY_BUCKETS } from '@beacon/metrics'

const requests = histogram({
  name: 'beacon_provider_request_duration_seconds',
  help: 'Requests to APNs and FCM, from sending to the answer (or the failure), by provider and result (ok: the notification was accepted)',
  labelNames: ['provider', 'result'] as const,
  buckets: LATENCY_BUCKETS
})

/** Times one provider's requests: `start()` when the request goes, `end(started, ok)` when it is over. */
function clockOf (provider: 'apns' | 'fcm') {
  const ok = requests.labels(provider, 'ok')
  const error = requests.labels(provider, 'error')
  return {
    start: (): number => performance.now(),
    end (started: number, accepted: boolean): void {
      (accepted ? ok : error).observe((performance.now() - started) / 1000)
    }
  }
}

export const apnsRequests = clockOf('apns')
export const fcmRequests = clockOf('fcm')
