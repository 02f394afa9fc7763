/**
 * A request body as PowerAuth's Java client writes it (Jackson's defaults), read the way Beacon's
 * schemas mean it, before they validate it:
 * - `null` is an unset field, so it is dropped — except where the schema itself accepts null
 *   (`carrierDomain: null`, `callbackUrl: null` clear a value) and inside free-form data
 *   (`extras`, whose values are the caller's own);
 * - a number where the schema wants a date-time string is a `java.time.Instant` (epoch seconds
 *   with a fraction, `1512940949.923000000`) or a `java.util.Date` (epoch milliseconds): it
 *   becomes the ISO 8601 string. A number that is neither is left alone, for the schema to refuse.
 */

/** From here up a number is epoch milliseconds (1973-03-03 as milliseconds; year 5138 as seconds). */
export const EPOCH_MILLISECONDS_FROM = 100_000_000_000
// The last millisecond of the year 9999: beyond it ISO 8601 needs a six-digit year, which a
// date-time field does not take.
const MAX_DATE_MS = 253_402_300_799_999

/** The ISO 8601 form of an epoch number, by the rule above; undefined for none (negative, fractional ms, too far). */
export function instantFromEpochNumber (value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined
  // Seconds keep their fraction to the millisecond; round, since 1512940949.923 * 1000 is not exact.
  const ms = value < EPOCH_MILLISECONDS_FROM ? Math.round(value * 1000) : Number.isInteger(value) ? value : undefined
  if (ms === undefined || ms > MAX_DATE_MS) return undefined
  return new Date(ms).toISOString()
}

type Schema = Record<string, unknown>
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function branchesOf (schema: Schema): Schema[] | undefined {
  const branches = schema.anyOf ?? schema.oneOf
  return Array.isArray(branches) ? branches.filter(isRecord) : undefined
}

/** Whether `null` is a value of the schema: `type: 'null'`, a union with it, or no type at all (unknown data). */
function acceptsNull (schema: Schema): boolean {
  const branches = branchesOf(schema)
  if (branches !== undefined) return branches.some(acceptsNull)
  const type = schema.type
  if (type === undefined) return schema.properties === undefined && schema.items === undefined && schema.format === undefined
  return type === 'null' || (Array.isArray(type) && type.includes('null'))
}

/** The schema of property `key` in an object schema, or in any object branch of a union. */
function propertySchemas (schema: Schema, key: string): Schema[] {
  const branches = branchesOf(schema) ?? [schema]
  return branches.flatMap((branch) => {
    const properties = branch.properties
    if (!isRecord(properties) || !Object.hasOwn(properties, key)) return []
    const property = properties[key]
    return isRecord(property) ? [property] : []
  })
}

/** Normalises `value` in place (objects and arrays) where `schema` says how; returns the value to use. */
export function readJacksonValue (value: unknown, schema: unknown): unknown {
  if (!isRecord(schema)) return value
  if (typeof value === 'number' && schema.format === 'date-time') return instantFromEpochNumber(value) ?? value
  if (Array.isArray(value)) {
    const items = schema.items
    if (isRecord(items)) for (let i = 0; i < value.length; i++) value[i] = readJacksonValue(value[i], items)
    return value
  }
  if (!isRecord(value)) return value
  const described = (branchesOf(schema) ?? [schema]).some((branch) => isRecord(branch.properties))
  // Free-form data (a record of unknown values, e.g. `extras`) is the caller's: its nulls stay.
  if (!described) return value
  for (const key of Object.keys(value)) {
    const candidates = propertySchemas(schema, key)
    if (value[key] === null) {
      if (!candidates.some(acceptsNull)) Reflect.deleteProperty(value, key)
      continue
    }
    // One schema for the field (a union of objects with the same field: the first describes it).
    const [property] = candidates
    if (property !== undefined) value[key] = readJacksonValue(value[key], property)
  }
  return value
}
