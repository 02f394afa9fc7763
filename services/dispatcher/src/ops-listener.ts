import { createReadinessProbe, startOpsServer, startProcessMetrics } from '@beacon/metrics'
import type { Logger } from 'pino'
import type { DispatcherConfig } from './config.js'
import type { Dispatcher } from './dispatcher.js'

/**
 * The dispatcher's ops listener (METRICS_PORT): /metrics with the process metrics, /healthz and
 * /readyz with the dispatcher's readiness checks. Nothing when METRICS_PORT is unset. Resolves
 * with the function that closes it (at stop: a scrape then is refused, not half answered).
 */
export async function startOpsListener (config: DispatcherConfig, dispatcher: Dispatcher, log: Logger): Promise<() => Promise<void>> {
  if (config.metrics === null) return async () => {}
  startProcessMetrics()
  const server = await startOpsServer({ host: config.metrics.host, port: config.metrics.port, readiness: createReadinessProbe(dispatcher.readiness, { log }) })
  return server.close
}
