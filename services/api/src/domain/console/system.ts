import type { SystemStatus } from '@beacon/contracts'
import { registry, type ReadinessProbe } from '@beacon/metrics'

/** The sum of a metric's values whose labels pass `keep` (all when absent); 0 for a metric not registered. */
async function total (name: string, keep: (labels: Record<string, string | number>) => boolean = () => true, series = name): Promise<number> {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) return 0
  const { values } = await metric.get()
  return values
    .filter((value) => (value as { metricName?: string }).metricName === undefined || (value as { metricName?: string }).metricName === series)
    .filter((value) => keep(value.labels as Record<string, string | number>))
    .reduce((sum, value) => sum + value.value, 0)
}

const outcome = (wanted: string) => (labels: Record<string, string | number>) => labels.outcome === wanted

/**
 * What the console's System page shows: the readiness /readyz computes (shared with the probes, so
 * a page left open costs no extra database or broker round trip), and this process's metrics as
 * /metrics would report them, read without a scrape (METRICS_PORT may put /metrics out of reach).
 */
export async function systemStatus (readiness: ReadinessProbe): Promise<SystemStatus> {
  const { ready, failing } = await readiness.check()
  const httpCount = 'beacon_http_request_duration_seconds_count'
  return {
    ready,
    parts: readiness.parts.map((part) => ({ part, ready: !failing.includes(part) })),
    timestamp: new Date().toISOString(),
    counters: {
      notificationsSent: await total('beacon_results_recorded_total', outcome('sent')),
      notificationsFailed: await total('beacon_results_recorded_total', outcome('failed')),
      notificationsExpired: await total('beacon_results_recorded_total', outcome('expired')),
      httpRequests: await total('beacon_http_request_duration_seconds', () => true, httpCount),
      httpServerErrors: await total('beacon_http_request_duration_seconds', (labels) => String(labels.status_code).startsWith('5'), httpCount),
      callbacksSent: await total('beacon_callbacks_total', outcome('sent')),
      callbacksGivenUp: await total('beacon_callbacks_total', outcome('given_up'))
    },
    gauges: {
      outboxDepth: await total('beacon_outbox_depth'),
      campaignsRunning: await total('beacon_campaigns_running')
    }
  }
}
