import type { FastifyInstance } from 'fastify'

/** The text a Prometheus scrape of the api's port gets (no credentials). */
export async function scrapeText (app: FastifyInstance): Promise<string> {
  const response = await app.inject({ method: 'GET', url: '/metrics' })
  if (response.statusCode !== 200) throw new Error(`/metrics answered ${response.statusCode}`)
  return response.body
}

/**
 * The value of sample `name` whose labels include `labels` (0 when there is none), from scrape text.
 * Samples are `name{a="x",b="y"} value` lines; one per label set.
 */
export function sampleValue (text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (match?.[1] !== name) continue
    const found = new Map([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]))
    if (Object.entries(labels).every(([label, value]) => found.get(label) === value)) total += Number(match[3])
  }
  return total
}

/** `sampleValue` from a scrape of the api now. */
export async function metricValue (app: FastifyInstance, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sampleValue(await scrapeText(app), name, labels)
}

/** Scrapes until `accept` holds for the value (gauges read at scrape are cached a few seconds). */
export async function untilMetric (app: FastifyInstance, name: string, labels: Record<string, string>, accept: (value: number) => boolean, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await metricValue(app, name, labels)
    if (accept(value)) return value
    if (Date.now() > deadline) throw new Error(`${name}${JSON.stringify(labels)} stayed at ${value}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
