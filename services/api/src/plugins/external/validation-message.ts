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

/** The refused field, its value (null when missing) and what is wrong, as PowerAuth 1.5+ lists a violation. */
export interface FieldViolation { fieldName: string, invalidValue: unknown, hint: string }

/**
 * The offending field and what it must be, e.g. `requestObject.appId` / `must be a non-negative
 * integer, as a number or a numeric string`. For unions, Ajv reports every branch; the union's own
 * description says what was expected far better than the branch errors do.
 */
export function describeViolation (errors: FastifySchemaValidationError[], context?: string): FieldViolation | undefined {
  const list = errors as AjvError[]
  const union = list.find((e) => e.keyword === 'anyOf')
  const chosen = union ?? list[0]
  if (chosen === undefined) return undefined
  const params = chosen.params as Record<string, unknown>
  const fieldName = field(context, chosen.instancePath, params.missingProperty)
  // (Ajv's verbose mode puts the value at instancePath in `data`; for `required` that is the parent.)
  if (chosen.keyword === 'required') return { fieldName, invalidValue: null, hint: 'is required' }
  const invalidValue = (chosen as { data?: unknown }).data ?? null
  const expected = chosen.parentSchema?.description
  return { fieldName, invalidValue, hint: expected !== undefined ? `must be ${expected}` : chosen.message ?? 'is invalid' }
}

/** One sentence naming the offending field, e.g. `requestObject.appId must be a non-negative integer, …`. */
export function describeValidationError (errors: FastifySchemaValidationError[], context?: string): string {
  const violation = describeViolation(errors, context)
  return violation === undefined ? 'invalid request' : `${violation.fieldName} ${violation.hint}`
}
