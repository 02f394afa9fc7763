// The metric catalog as the services define it: every module of the api's and the dispatcher's
// metrics folders is loaded, and the process registry says which names and types exist. The
// dashboard and README are checked against this, not against a list written by hand.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { registry, startProcessMetrics } from '@beacon/metrics'
import { repositoryRoot } from './repository.js'

export interface CatalogMetric { name: string, type: string, labels: string[] }

// Under `npm test` this file runs transpiled (scripts/transpile.mjs: `test` -> `.js-test`), and
// @beacon/metrics' registry is the transpiled module's: the services' modules must be too.
const transpiled = import.meta.url.includes('/.js-test/')

export async function metricCatalog (): Promise<CatalogMetric[]> {
  for (const service of ['api', 'dispatcher']) {
    const folder = join(repositoryRoot, 'services', service, transpiled ? '.js-src' : 'src', 'metrics')
    for (const file of readdirSync(folder).filter((name) => name.endsWith(transpiled ? '.js' : '.ts'))) await import(pathToFileURL(join(folder, file)).href)
  }
  startProcessMetrics()
  const metrics = await registry.getMetricsAsJSON()
  // Declared label names (prom-client keeps them on the metric), whether or not a value exists yet.
  const declared = (name: string) => (registry.getSingleMetric(name) as unknown as { labelNames?: string[] } | undefined)?.labelNames ?? []
  return metrics.map(({ name, type }) => ({ name, type: String(type), labels: declared(name) }))
}

/** The series names a PromQL expression may select for these metrics (histograms: _bucket, _sum, _count). */
export function seriesNames (catalog: CatalogMetric[]): Set<string> {
  return new Set(catalog.flatMap(({ name, type }) => type === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => name + suffix) : [name]))
}
