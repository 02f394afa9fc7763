import { CallbackCommand, ChunkSummary, Command, DeviceResult, DeviceResultBatch, InAppBroadcast, MessageSummary } from '@beacon/contracts'
import { Type } from 'typebox'
import type { TSchema, Static } from 'typebox'
import { Compile } from 'typebox/compile'
import { TransportError, TransportErrorCode } from './errors.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export interface Codec<T> {
  encode (value: T): Uint8Array
  decode (data: Uint8Array): T
}

// Messages are checked on the way in: a malformed one is a defect (or a foreign writer) and must
// not reach a provider or the database.
function codec<S extends TSchema> (schema: S, name: string): Codec<Static<S>> {
  const validator = Compile(schema)
  return {
    encode: (value) => encoder.encode(JSON.stringify(value)),
    decode (data) {
      let value: unknown
      try { value = JSON.parse(decoder.decode(data)) } catch (cause) {
        throw new TransportError(TransportErrorCode.INVALID_MESSAGE, `${name} is not JSON`, { cause })
      }
      if (!validator.Check(value)) {
        const first = validator.Errors(value)[0]
        throw new TransportError(TransportErrorCode.INVALID_MESSAGE, `${name} is invalid: ${first?.instancePath ?? ''} ${first?.message ?? ''}`)
      }
      return value as Static<S>
    }
  }
}

export const commandCodec = codec(Command, 'command')
// A batch, or (from a dispatcher of an earlier version still draining) a single result.
export const deviceResultsCodec = codec(Type.Union([DeviceResultBatch, DeviceResult]), 'device results')
export const deviceResultBatchCodec = codec(DeviceResultBatch, 'device result batch')
export const messageSummaryCodec = codec(MessageSummary, 'message summary')
export const chunkSummaryCodec = codec(ChunkSummary, 'chunk summary')
export const callbackCodec = codec(CallbackCommand, 'callback')
export const inAppBroadcastCodec = codec(InAppBroadcast, 'in-app broadcast')
