import { registry } from '@beacon/metrics'

/**
 * The sum of a metric's series whose labels include `labels`, as this process's registry has it
 * now (`name` may be a histogram's `_count`, `_sum` or `_bucket`). The registry is the process's:
 * tests compare values before and after.
 */
export async function metricValue (name: string, labels: Record<string, string> = {}): Promise<number> {
  const base = name.replace(/_(count|sum|bucket)$/, '')
  const metric = registry.getSingleMetric(registry.getSingleMetric(name) === undefined ? base : name)
  if (metric === undefined) return 0
  const { name: metricName, values } = await metric.get()
  return (values as Array<{ value: number, labels: object, metricName?: string }>)
    .filter((value) => (value.metricName ?? metricName) === name)
    .filter((value) => Object.entries(labels).every(([key, wanted]) => String((value.labels as Record<string, unknown>)[key]) === wanted))
    .reduce((sum, value) => sum + value.value, 0)
}

/** Values of several series at once, keyed by the caller's names, for before/after differences. */
export async function snapshot (series: Record<string, [string, Record<string, string>?]>): Promise<Record<string, number>> {
  const entries = await Promise.all(Object.entries(series).map(async ([key, [name, labels]]) => [key, await metricValue(name, labels)] as const))
  return Object.fromEntries(entries)
}
