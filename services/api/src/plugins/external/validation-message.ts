import type { FastifySchemaValidationError } from 'fastify'

interface AjvError extends FastifySchemaValidationError {
  parentSchema?: { description?: string }
}

function field (context: string | undefined, instancePath: string, missing?: unknown): string {
  const parts = instancePath.split('/').filter(Boolean)
  if (typeof missing === 'string') parts.push(missing)
  // Body fields are named from the body's root (`requestObject.appId`); others by where they are.
  if (context !== 'body') parts.unshift(context ?? 'request')
  return parts.length === 0 ? 'request body' : parts.join('.')
}

/**
 * One sentence naming the offending field, e.g. `requestObject.appId must be a non-negative
 * integer, as a number or a numeric string`. For unions, Ajv reports every branch; the union's own
 * description says what was expected far better than the branch errors do.
 */
export function describeValidationError (errors: FastifySchemaValidationError[], context?: string): string {
  const list = errors as AjvError[]
  const union = list.find((e) => e.keyword === 'anyOf')
  const chosen = union ?? list[0]
  if (chosen === undefined) return 'invalid request'
  const params = chosen.params as Record<string, unknown>
  const name = field(context, chosen.instancePath, params.missingProperty)
  if (chosen.keyword === 'required') return `${name} is required`
  const expected = chosen.parentSchema?.description
  if (expected !== undefined) return `${name} must be ${expected}`
  return `${name} ${chosen.message ?? 'is invalid'}`
}
