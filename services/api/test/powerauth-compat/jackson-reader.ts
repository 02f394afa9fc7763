/**
 * Whether a JSON answer can be read into a Java response class by the PowerAuth client's Jackson
 * (Spring's default WebClient codecs): what it accepts, what it refuses, and what it would read
 * wrongly without failing. Scalars are coerced as Jackson does by default ("12" into a Long, 12
 * into a String); anything Jackson would refuse, or read into a wrong value (epoch milliseconds
 * into an Instant, a fraction into an int), is a problem. Unknown properties are collected apart:
 * the default codecs ignore them, a plain `new ObjectMapper()` fails on them.
 *
 * A shape is a Java type: `"String"`, `"Long"`, `"Integer"`, `"int"`, `"long"`, `"boolean"`,
 * `"Boolean"`, `"Date"` (java.util.Date), `"Instant"`, `"Map"`, `"Object"`, `"enum:A|B"` (constant
 * names), `"enum-ci:A|B"` (a @JsonCreator that upper-cases), `"ref:Name"` (a class of the fixture
 * file), `{ field: shape }` for a class (a `!` after the name: the caller relies on it, so it must
 * be present and not null) and `[shape]` for a List or an array.
 */
export type Shape = string | ShapeObject | Shape[]
export interface ShapeObject { [field: string]: Shape }

export interface ReadResult {
  /** What would make Jackson fail, or read something other than what was meant. */
  problems: string[]
  /** Properties the class does not have (ignored by the default codecs). */
  unknown: string[]
  /** Values read only through Jackson's scalar coercion (a number sent as text). */
  coerced: string[]
}

const INT_MIN = -(2 ** 31)
const INT_MAX = 2 ** 31 - 1
const INTEGER_TEXT = /^[+-]?\d+$/
const DECIMAL_TEXT = /^[+-]?\d+(\.\d+)?$/
/** ISO-8601 as Jackson's StdDateFormat parses it (date, optional time, optional fraction and zone). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/
/** ISO-8601 instants as InstantDeserializer parses them: UTC, written Z or as a zero offset. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]00:?00)$/
/** Epoch seconds beyond year 5138: such an integer is surely milliseconds, read as seconds. */
const MAX_PLAUSIBLE_EPOCH_SECONDS = 1e11

const describe = (value: unknown) => value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`

export function readAs (shape: Shape, value: unknown, classes: Record<string, ShapeObject> = {}, path = '$'): ReadResult {
  const result: ReadResult = { problems: [], unknown: [], coerced: [] }
  read(shape, value, path, classes, result)
  return result
}

function read (shape: Shape, value: unknown, path: string, classes: Record<string, ShapeObject>, out: ReadResult): void {
  if (value === undefined || value === null) return // absent or null: the field keeps its default
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) { out.problems.push(`${path}: a List/array, got ${describe(value)}`); return }
    value.forEach((item, index) => read(shape[0] as Shape, item, `${path}[${index}]`, classes, out))
    return
  }
  if (typeof shape === 'object') { readClass(shape, value, path, classes, out); return }
  if (shape.startsWith('ref:')) {
    const referenced = classes[shape.slice(4)]
    if (referenced === undefined) throw new Error(`fixture names an unknown class ${shape}`)
    readClass(referenced, value, path, classes, out)
    return
  }
  const problem = readScalar(shape, value)
  if (problem !== undefined) out.problems.push(`${path}: ${problem}`)
  else if (typeof value === 'string' && ['int', 'Integer', 'long', 'Long'].includes(shape)) out.coerced.push(`${path}: ${shape} from the text ${JSON.stringify(value)}`)
}

function readClass (shape: ShapeObject, value: unknown, path: string, classes: Record<string, ShapeObject>, out: ReadResult): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.problems.push(`${path}: an object, got ${describe(value)}`)
    return
  }
  const record = value as Record<string, unknown>
  const known = new Set<string>()
  for (const [key, fieldShape] of Object.entries(shape)) {
    const required = key.endsWith('!')
    const name = required ? key.slice(0, -1) : key
    known.add(name)
    const fieldValue = record[name]
    if (required && (fieldValue === undefined || fieldValue === null)) {
      out.problems.push(`${path}.${name}: required, ${fieldValue === undefined ? 'absent' : 'null'}`)
      continue
    }
    read(fieldShape, fieldValue, `${path}.${name}`, classes, out)
  }
  for (const name of Object.keys(record)) if (!known.has(name)) out.unknown.push(`${path}.${name}`)
}

/** Why Jackson would not read `value` as the scalar type `type`; undefined when it would. */
function readScalar (type: string, value: unknown): string | undefined {
  if (type === 'Object') return undefined
  if (type === 'Map') return typeof value === 'object' && !Array.isArray(value) ? undefined : `a Map (JSON object), got ${describe(value)}`
  if (type === 'String') return typeof value === 'object' ? `a String, got ${describe(value)}` : undefined
  if (type === 'boolean' || type === 'Boolean') {
    if (typeof value === 'boolean') return undefined
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) return undefined
    return `a ${type}, got ${describe(value)}`
  }
  if (['int', 'Integer', 'long', 'Long'].includes(type)) return readInteger(type, value)
  if (type === 'Date') return readDate(value)
  if (type === 'Instant') return readInstant(value)
  if (type.startsWith('enum:') || type.startsWith('enum-ci:')) {
    const caseInsensitive = type.startsWith('enum-ci:')
    const constants = type.slice(type.indexOf(':') + 1).split('|')
    if (typeof value !== 'string') return `one of ${constants.join(', ')}, got ${describe(value)}`
    const name = caseInsensitive ? value.toUpperCase() : value
    return constants.includes(name) ? undefined : `one of ${constants.join(', ')}${caseInsensitive ? ' (any case)' : ''}, got ${JSON.stringify(value)}`
  }
  throw new Error(`fixture names an unknown type ${type}`)
}

function readInteger (type: string, value: unknown): string | undefined {
  let number: number
  if (typeof value === 'number') number = value
  else if (typeof value === 'string' && INTEGER_TEXT.test(value)) number = Number(value) // coerced from text
  else return `a ${type}, got ${describe(value)}`
  if (!Number.isInteger(number)) return `a ${type}, got the fraction ${number} (Jackson would truncate it)`
  if ((type === 'int' || type === 'Integer') && (number < INT_MIN || number > INT_MAX)) return `a ${type}, ${number} is out of its range`
  return undefined
}

function readDate (value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? undefined : `a Date (epoch milliseconds), got ${value}`
  if (typeof value === 'string' && (INTEGER_TEXT.test(value) || ISO_DATE.test(value))) return undefined
  return `a Date (epoch milliseconds or ISO-8601), got ${describe(value)}`
}

function readInstant (value: unknown): string | undefined {
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL_TEXT.test(value) ? Number(value) : undefined
  if (seconds !== undefined) {
    return Math.abs(seconds) > MAX_PLAUSIBLE_EPOCH_SECONDS ? `an Instant in epoch SECONDS, got ${value} (milliseconds would be read as seconds)` : undefined
  }
  if (typeof value === 'string' && ISO_INSTANT.test(value)) return undefined
  return `an Instant (epoch seconds or ISO-8601 in UTC), got ${describe(value)}`
}
