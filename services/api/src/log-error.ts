import { stdSerializers } from 'pino'

type SerializedError = ReturnType<typeof stdSerializers.err>

// Node's error for a malformed or oversized request head carries the bytes it read (`rawPacket`:
// Authorization, cookies, an in-app token), and Fastify logs that error at trace. Kept out by
// name: the redaction's wildcards did so only by failing to serialize the whole object. pino's
// serializer copies an error's other properties as they are and serializes the errors among them
// (and an AggregateError's) with itself, so the name is dropped at every depth, not only the top.
// What is rebuilt is a copy: the logged error's own objects are never changed.
const MAX_DEPTH = 8

export function serializeError (error: Error): SerializedError {
  const serialized = stdSerializers.err(error)
  return withoutRawPackets(serialized, Object.getPrototypeOf(serialized) as object | null, 0, new WeakSet()) as SerializedError
}

function withoutRawPackets (value: unknown, errorProto: object | null, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value)) return value
  if (Array.isArray(value)) {
    seen.add(value)
    return value.map((item: unknown) => withoutRawPackets(item, errorProto, depth + 1, seen))
  }
  const proto = Object.getPrototypeOf(value) as object | null
  // Plain objects and pino's serialized errors only: a Buffer, a Date or a Map is kept as it is.
  if (proto !== Object.prototype && proto !== null && proto !== errorProto) return value
  seen.add(value)
  const copy = Object.create(proto) as Record<string, unknown>
  for (const [key, item] of Object.entries(value)) {
    if (key !== 'rawPacket') copy[key] = withoutRawPackets(item, errorProto, depth + 1, seen)
  }
  if (proto === errorProto) copy.raw = (value as { raw?: unknown }).raw
  return copy
}
