import { stdSerializers } from 'pino'

type SerializedError = ReturnType<typeof stdSerializers.err>

// Node's error for a malformed or oversized request head carries the bytes it read (`rawPacket`:
// Authorization, cookies, an in-app token), and Fastify logs that error at trace. Kept out by
// name: the redaction's wildcards did so only by failing to serialize the whole object. pino's
// serializer serializes the errors among an error's properties (and an AggregateError's) with
// itself, but copies every other property as it is: an array or a plain object holding an Error
// (which the log's JSON writes with its own properties, rawPacket included) is serialized here,
// and a plain object reached twice (shared, or a cycle) is the one copy both times, so the name
// is dropped at every depth. What is rebuilt is a copy: the logged error's own objects are never
// changed. Anything that is not an object (null included: `{ err: null }` from a catch) is
// logged as it is.
const MAX_DEPTH = 8

export function serializeError (error: Error): SerializedError {
  const serialized = stdSerializers.err(error)
  if (typeof serialized !== 'object' || serialized === null) return serialized
  return withoutRawPackets(serialized, Object.getPrototypeOf(serialized) as object | null, 0, new WeakMap()) as SerializedError
}

function withoutRawPackets (value: unknown, errorProto: object | null, depth: number, copies: WeakMap<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value
  const copied = copies.get(value)
  if (copied !== undefined) return copied
  // Past the depth, nothing is kept rather than something unchecked (pino writes less by itself).
  if (depth > MAX_DEPTH) return '[too deep]'
  if (Array.isArray(value)) {
    const copy: unknown[] = []
    copies.set(value, copy)
    for (const item of value) copy.push(withoutRawPackets(item, errorProto, depth + 1, copies))
    return copy
  }
  let proto = Object.getPrototypeOf(value) as object | null
  let source = value as Record<string, unknown>
  if (value instanceof Error) {
    // An error pino did not serialize (it was not a property of an error): serialized as it does.
    source = stdSerializers.err(value) as unknown as Record<string, unknown>
    proto = Object.getPrototypeOf(source) as object | null
  }
  // Plain objects and pino's serialized errors only: a Buffer, a Date or a Map is kept as it is.
  if (proto !== Object.prototype && proto !== null && proto !== errorProto) return value
  const copy = Object.create(proto) as Record<string, unknown>
  copies.set(value, copy)
  for (const [key, item] of Object.entries(source)) {
    if (key !== 'rawPacket') copy[key] = withoutRawPackets(item, errorProto, depth + 1, copies)
  }
  if (proto === errorProto) copy.raw = (source as { raw?: unknown }).raw
  return copy
}
