// deploy/grafana/beacon.json asks only for metrics Beacon exports: every name in every PromQL
// expression is a metric the services register, and percentiles come from histogram buckets.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { metricCatalog, seriesNames } from './metric-catalog.js'
import { repositoryRoot } from './repository.js'

// The catalog is what the api's and the dispatcher's metric modules register (metric-catalog.ts).
const catalog = await metricCatalog()
const CATALOG = seriesNames(catalog)
const HISTOGRAMS = catalog.filter(({ type }) => type === 'histogram').map(({ name }) => name)

// PromQL's own words, which are not metric names.
const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'histogram_quantile', 'clamp_min', 'clamp_max', 'abs',
  'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time', 'absent', 'vector', 'scalar', 'time', 'label_replace'
])

/** The metric names an expression selects: what is left once strings, matchers, ranges and grouping labels are gone. */
function metricNames (expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]).filter((word) => !PROMQL_WORDS.has(word))
}

interface Panel { type: string, title: string, targets?: Array<{ expr: string }>, panels?: Panel[] }
const dashboard = JSON.parse(readFileSync(join(repositoryRoot, 'deploy', 'grafana', 'beacon.json'), 'utf8')) as { panels: Panel[], uid: string }
const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])])
const queries = allPanels(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })))

// guarantee: grafana-dashboard-catalog
t.test('every PromQL expression names only metrics of the catalog', async (t) => {
  t.ok(queries.length > 10, `${queries.length} queries`)
  for (const { panel, expr } of queries) {
    const names = metricNames(expr)
    t.ok(names.length > 0, `${panel}: ${expr} selects a metric`)
    for (const name of names) t.ok(CATALOG.has(name), `${panel}: ${name} is in the catalog`)
  }
})

t.test('percentiles: histogram_quantile over the _bucket series of a catalog histogram, aggregated by le', async (t) => {
  const quantiles = queries.filter(({ expr }) => expr.includes('histogram_quantile'))
  t.ok(quantiles.length >= 6, 'provider and HTTP latency at p50, p95, p99 at least')
  for (const { panel, expr } of quantiles) {
    const names = metricNames(expr)
    t.ok(names.every((name) => name.endsWith('_bucket') && HISTOGRAMS.includes(name.replace(/_bucket$/, ''))), `${panel}: ${expr} reads _bucket series`)
    t.match(expr, /sum by \(le\b/, `${panel}: the buckets keep their le label`)
  }
  t.notOk(queries.some(({ expr }) => !expr.includes('histogram_quantile') && /_bucket\b/.test(expr)), 'no bucket series outside histogram_quantile')
})

t.test('the dashboard covers what an operator asks first', async (t) => {
  const used = new Set(queries.flatMap(({ expr }) => metricNames(expr)))
  for (const name of ['beacon_sends_total', 'beacon_provider_request_duration_seconds_bucket', 'beacon_queue_pending', 'beacon_campaign_chunks',
    'beacon_http_request_duration_seconds_bucket', 'beacon_http_request_duration_seconds_count', 'nodejs_eventloop_lag_seconds', 'process_resident_memory_bytes']) {
    t.ok(used.has(name), `${name} is on the dashboard`)
  }
  t.ok(queries.some(({ expr }) => /sum by \(provider, outcome\) \(rate\(beacon_sends_total/.test(expr)), 'throughput by provider and outcome')
  t.ok(queries.some(({ expr }) => /by \(provider, reason\).*beacon_sends_total\{outcome!="sent"\}/.test(expr)), 'errors by reason')
  t.ok(queries.some(({ expr }) => /by \(route, status_code\)/.test(expr)), 'HTTP by route and status')
  // Claimed devices are nearly all sent at any moment (claimed as they are sent): progress is chunks
  // done of the chunks planned, all of which exist from the campaign's start.
  const progress = queries.filter(({ panel }) => panel === 'Campaign progress').map(({ expr }) => expr)
  t.ok(progress.some((expr) => /beacon_campaign_chunks\{state="done"\}.*\/.*beacon_campaign_chunks\{state="planned"\}/.test(expr)), 'campaign progress: chunks done / planned')
  t.notOk(progress.some((expr) => expr.includes('beacon_campaign_devices')), 'not claimed devices, which read as all sent')
  t.equal(dashboard.uid, 'beacon-overview')
})
