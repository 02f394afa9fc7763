import client from 'prom-client'

/**
 * The process's one registry (prom-client's default). One per process, not per service: the
 * `npm start` process runs the api and a dispatcher together and serves both on one /metrics, and
 * a test file that builds many apps in one process gets the same metric objects each time (assert
 * on differences, not absolute values).
 */
export const registry = client.register

let processMetricsStarted = false
/** Event-loop lag, heap, RSS, GC, CPU and handles (prom-client's defaults), once per process. */
export function startProcessMetrics (): void {
  if (processMetricsStarted) return
  processMetricsStarted = true
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 })
}

type Labels<L extends string> = readonly L[]
interface Definition<L extends string> { name: string, help: string, labelNames?: Labels<L> }

// The same name asked twice gives the metric made first: modules loaded twice (the api and a
// dispatcher in one process, tsx and dist in a test) must not fail with "already registered".
function existing<T> (name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined
}

export function counter<L extends string = never> (definition: Definition<L>): client.Counter<L> {
  return existing<client.Counter<L>>(definition.name) ??
    new client.Counter<L>({ ...definition, labelNames: definition.labelNames ?? [], registers: [registry] })
}

export function gauge<L extends string = never> (definition: Definition<L> & { collect?: (this: client.Gauge<L>) => void | Promise<void> }): client.Gauge<L> {
  return existing<client.Gauge<L>>(definition.name) ??
    new client.Gauge<L>({ ...definition, labelNames: definition.labelNames ?? [], registers: [registry] })
}

export function histogram<L extends string = never> (definition: Definition<L> & { buckets: number[] }): client.Histogram<L> {
  return existing<client.Histogram<L>>(definition.name) ??
    new client.Histogram<L>({ ...definition, labelNames: definition.labelNames ?? [], registers: [registry] })
}

/** Seconds, for request latencies from a few milliseconds (loopback) to the 10 s timeouts. */
export const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The text a Prometheus scrape receives, and its content type. */
export async function scrape (): Promise<{ body: string, contentType: string }> {
  return { body: await registry.metrics(), contentType: registry.contentType }
}
