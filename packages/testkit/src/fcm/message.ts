import { sendRequestRule, type FieldRule } from './message-schema.js'

/** What is wrong with a send request: the field, Google's description, the error message. */
export interface MessageViolation { field: string, description: string, message: string }

type Json = Record<string, unknown>

const maxPayloadBytes = 4096
const maxTtlSeconds = 28 * 24 * 3600
const duration = /^(\d+)(\.\d{1,9})?s$/
const timestamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/
const topicName = /^[a-zA-Z0-9-_.~%]{1,900}$/
const topicInCondition = /'[a-zA-Z0-9-_.~%]+'\s+in\s+topics/g
// Registration tokens are opaque, but always URL-safe base64 plus ':' separators.
const registrationToken = /^[A-Za-z0-9_:-]{1,4096}$/

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
// Name conversions are memoised: the mock validates every request and the names repeat.
const memo = (convert: (name: string) => string) => {
  const known = new Map<string, string>()
  return (name: string) => {
    let converted = known.get(name)
    if (converted === undefined) {
      converted = convert(name)
      if (known.size < 10_000) known.set(name, converted)
    }
    return converted
  }
}
const snakeCase = memo((name) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`))
const camelCase = memo((name) => name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()))
const violation = (field: string, description: string, message = description): MessageViolation => ({ field, description, message })
const invalidValue = (path: string, type: string, value: unknown) => violation(path, `Invalid value at '${path}' (${type}), ${JSON.stringify(value)}`)

/** A proto3 JSON field, under either of its names. */
export const field = (object: unknown, name: string): unknown => {
  if (!isObject(object)) return undefined
  return object[name] ?? object[camelCase(name)]
}

function checkShape (rule: FieldRule, value: unknown, path: string): MessageViolation | null {
  if (value === null) return null // proto3 JSON: null means "not set"
  if (rule === 'string') return typeof value === 'string' ? null : invalidValue(path, 'TYPE_STRING', value)
  if (rule === 'bool') return typeof value === 'boolean' ? null : invalidValue(path, 'TYPE_BOOL', value)
  if (rule === 'number') return typeof value === 'number' ? null : invalidValue(path, 'TYPE_DOUBLE', value)
  if (rule === 'int') return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value)) ? null : invalidValue(path, 'TYPE_INT32', value)
  if (rule === 'duration') {
    if (typeof value === 'string' && duration.test(value)) return null
    return violation(path, `Invalid value at '${path}' (type.googleapis.com/google.protobuf.Duration), Field '${path.split('.').pop() ?? ''}', Illegal duration format; duration must end with 's'`)
  }
  if (rule === 'timestamp') return typeof value === 'string' && timestamp.test(value) ? null : invalidValue(path, 'type.googleapis.com/google.protobuf.Timestamp', value)
  if (rule === 'struct') return isObject(value) ? null : invalidValue(path, 'type.googleapis.com/google.protobuf.Struct', value)
  if (rule === 'stringMap') {
    if (!isObject(value)) return invalidValue(path, 'map<string, string>', value)
    const entries = Object.values(value)
    const index = entries.findIndex((entry) => typeof entry !== 'string')
    return index === -1 ? null : invalidValue(`${path}[${index}].value`, 'TYPE_STRING', entries[index])
  }
  if ('list' in rule) {
    if (!Array.isArray(value)) return invalidValue(path, 'list', value)
    for (const [index, item] of value.entries()) {
      const problem = checkShape(rule.list, item, `${path}[${index}]`)
      if (problem !== null) return problem
    }
    return null
  }
  // firebase-admin sends some enums lower-case ('high'); the API takes them either way.
  if ('enum' in rule) return typeof value === 'string' && rule.enum.includes(value.toUpperCase()) ? null : invalidValue(path, 'TYPE_ENUM', value)
  if (!isObject(value)) return invalidValue(path, 'TYPE_MESSAGE', value)
  for (const [name, child] of Object.entries(value)) {
    const childRule = rule.fields[snakeCase(name)]
    const childPath = path === '' ? snakeCase(name) : `${path}.${snakeCase(name)}`
    if (childRule === undefined) {
      return violation(path === '' ? name : path, `Invalid JSON payload received. Unknown name "${name}"${path === '' ? '' : ` at '${path}'`}: Cannot find field.`)
    }
    const problem = checkShape(childRule, child, childPath)
    if (problem !== null) return problem
  }
  return null
}

const reservedDataKey = (key: string) => key === 'from' || key === 'message_type' || key.startsWith('google.') || key.startsWith('gcm.notification.')

function checkTarget (message: Json): MessageViolation | null {
  const targets = ['token', 'topic', 'condition'].filter((name) => typeof message[name] === 'string' && message[name] !== '')
  if (targets.length === 0) return violation('message', 'Recipient of the message is not set.')
  if (targets.length > 1) return violation('message', `Invalid JSON payload received. Oneof field 'target' is already set. Cannot set '${targets[1]}'`)
  const { token, topic, condition } = message as { token?: string, topic?: string, condition?: string }
  if (token !== undefined && !registrationToken.test(token)) {
    return violation('message.token', 'Invalid registration token', 'The registration token is not a valid FCM registration token')
  }
  if (topic !== undefined && !topicName.test(topic.replace(/^\/topics\//, ''))) return violation('message.topic', 'Invalid topic name')
  if (condition !== undefined) {
    const topics = condition.match(topicInCondition)?.length ?? 0
    const rest = condition.replace(topicInCondition, 'T')
    if (topics < 1 || topics > 5 || !/^[T\s()&|!]+$/.test(rest)) return violation('message.condition', 'Invalid condition expression provided.')
  }
  return null
}

function checkRules (message: Json): MessageViolation | null {
  const android = field(message, 'android')
  for (const [path, data] of [['message.data', field(message, 'data')], ['message.android.data', field(android, 'data')]] as const) {
    const reserved = isObject(data) ? Object.keys(data).find(reservedDataKey) : undefined
    if (reserved !== undefined) return violation(path, `Invalid data payload key: ${reserved}`)
  }
  const ttl = field(android, 'ttl')
  if (typeof ttl === 'string' && Number.parseFloat(ttl) > maxTtlSeconds) return violation('message.android.ttl', `TTL must not exceed ${maxTtlSeconds}s (4 weeks)`)
  const color = field(field(android, 'notification'), 'color')
  if (typeof color === 'string' && !/^#[0-9a-fA-F]{6}$/.test(color)) return violation('message.android.notification.color', 'Invalid color format; expected #rrggbb')
  const link = field(field(field(message, 'webpush'), 'fcm_options'), 'link')
  if (typeof link === 'string' && !link.startsWith('https://')) return violation('message.webpush.fcm_options.link', 'HTTPS is required for webpush links')
  const { token, topic, condition, ...content } = message
  const size = Buffer.byteLength(JSON.stringify(content))
  if (size > maxPayloadBytes) return violation('message', `Message is too big: ${size} bytes of payload, at most ${maxPayloadBytes} allowed`)
  return null
}

/** Checks a `messages:send` body; null when FCM would take it. */
export function checkSendRequest (body: unknown): MessageViolation | null {
  if (!isObject(body)) return violation('', `Invalid JSON payload received. Expected an object, got ${JSON.stringify(body)}.`)
  const shape = checkShape(sendRequestRule, body, '')
  if (shape !== null) return shape
  const message = field(body, 'message')
  if (!isObject(message)) return violation('message', 'Message must be set.')
  return checkTarget(message) ?? checkRules(message)
}

/** The key a message is logged and scripted under: its token, `/topics/<name>` or its condition. */
export function targetOf (message: unknown): string {
  if (!isObject(message)) return ''
  if (typeof message.token === 'string') return message.token
  if (typeof message.topic === 'string') return `/topics/${message.topic.replace(/^\/topics\//, '')}`
  return typeof message.condition === 'string' ? message.condition : ''
}
