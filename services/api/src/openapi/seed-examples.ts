// Imported (not read from disk) so that the build copies the data file with the code.
import seedExamples from './seed-examples.json' with { type: 'json' }

/** One operation's examples from the seed: the request body and the 200 answer. */
export interface SeedExample {
  /** Where the example differs from the seed's text, and why (Beacon's answer has more fields, the seed's value was cut short…). */
  adapted?: string
  request?: unknown
  response?: unknown
}

/** The seed's examples by `METHOD /openapi/{path}`. */
export const SEED_EXAMPLES: Readonly<Record<string, SeedExample>> = seedExamples.operations

/** Fastify's `/push/campaign/:id/detail` as OpenAPI writes it: `/push/campaign/{id}/detail`. */
export const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}')

/** The seed's examples of a route, under whichever of its methods the seed names. */
export function seedExampleOf (methods: string[], url: string): SeedExample | undefined {
  for (const method of methods) {
    const example = SEED_EXAMPLES[`${method} ${openapiPath(url)}`]
    if (example !== undefined) return example
  }
  return undefined
}
