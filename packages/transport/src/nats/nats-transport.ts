import { commandId, MAX_RESULTS_PER_BATCH, natsNames, type ChunkSummary, type Command, type DeviceResult, type DeviceResultBatch, type MessageSummary } from '@beacon/contracts'
import { jetstream, jetstreamManager, JetStreamApiError, type JsMsg } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { chunkSummaryCodec, commandCodec, deviceResultBatchCodec, deviceResultsCodec, messageSummaryCodec } from '../codec.js'
import { TransportError, TransportErrorCode } from '../errors.js'
import type { CommandDelivery, ResultEvent, Transport } from '../transport.js'
import { abandonedCommands } from './abandoned-commands.js'
import { consumeBatches } from './consume.js'
import { consumeSlots } from './consume-slots.js'
import { resultBatches } from './result-batches.js'
import { signedApiTransport } from './signed-api.js'
import { summaryWatches } from './summary-watches.js'
import { ensureTopology, type TopologyOptions } from './topology.js'

export interface NatsTransportOptions extends Partial<TopologyOptions> {
  servers: string | string[]
  /** Prefix of every subject and stream name (see natsNames). */
  prefix: string
  /** Connection name, shown by the NATS server. */
  name: string
  /** Called with errors of the consume loops (bad messages, handler failures). */
  onError?: (error: unknown) => void
}

export async function createNatsTransport (options: NatsTransportOptions): Promise<Transport> {
  const names = natsNames(options.prefix)
  let nc: NatsConnection
  try {
    // noAsyncTraces: nats.js otherwise builds an Error (a stack trace) up front for every request
    // and publish acknowledgement, in case it fails: ~4% of a dispatcher's CPU, measured.
    nc = await connect({ servers: options.servers, name: options.name, maxReconnectAttempts: -1, noAsyncTraces: true })
  } catch (cause) {
    throw new TransportError(TransportErrorCode.CONNECT_FAILED, `cannot connect to NATS at ${String(options.servers)}`, { cause })
  }
  const onError = options.onError ?? (() => {})
  try {
    await ensureTopology(await jetstreamManager(nc), names, {
      commandAckWaitMs: options.commandAckWaitMs ?? 30_000,
      commandMaxDeliver: options.commandMaxDeliver ?? 10
    })
  } catch (cause) {
    await nc.close()
    throw new TransportError(TransportErrorCode.CONNECT_FAILED, 'cannot set up the JetStream streams', { cause })
  }
  const js = jetstream(nc)
  const consumers: Array<{ stop (): Promise<void> }> = []

  const publish = async (subject: string, data: Uint8Array, msgID: string) => {
    try {
      await js.publish(subject, data, { msgID })
    } catch (cause) {
      const code = isRefusal(cause) ? TransportErrorCode.PUBLISH_REFUSED : TransportErrorCode.PUBLISH_FAILED
      throw new TransportError(code, `publish to ${subject} failed`, { cause })
    }
  }

  const decodeOrTerminate = <T>(message: JsMsg, decode: (data: Uint8Array) => T): T | undefined => {
    try { return decode(message.data) } catch (error) {
      message.term()
      onError(error)
      return undefined
    }
  }

  const track = (stoppable: { stop (): Promise<void> }) => { consumers.push(stoppable); return stoppable }

  const summaries = summaryWatches(nc, names, onError)

  const publishDeviceResults = async (results: DeviceResult[]) => {
    await Promise.all(resultBatches(names, results).map((batch) =>
      publish(batch.subject, deviceResultBatchCodec.encode({ results: batch.results }), batch.msgID)))
  }

  return {
    ...signedApiTransport({ nc, js, names, publish, decodeOrTerminate, track, onError }),

    publishCommand: (command: Command) =>
      publish(names.commandSubject, commandCodec.encode(command), commandId(command)),

    consumeCommands (handler, { concurrency }) {
      const consumerReady = js.consumers.get(names.commandStream, names.dispatcherConsumer)
      let stopper: { stop (): Promise<void> } | undefined
      const started = consumerReady.then((consumer) => {
        stopper = consumeSlots(consumer, { concurrency }, async (message) => {
          const command = decodeOrTerminate(message, commandCodec.decode)
          if (command === undefined) return
          const delivery: CommandDelivery = {
            command,
            deliveryCount: message.info.deliveryCount,
            working: () => message.working(),
            // A plain ack, not ackAck: a lost ack only redelivers the command, whose claims then
            // say it was done (no device is sent twice); waiting for the server's word cost a
            // round trip per command.
            ack: async () => { message.ack() },
            retry: (delayMs) => message.nak(delayMs)
          }
          await handler(delivery)
        }, onError)
      })
      const handle = { stop: async () => { await started; await stopper?.stop() } }
      consumers.push(handle)
      return handle
    },

    publishDeviceResults,

    async publishSummary (summary: MessageSummary, results: DeviceResult[] = []) {
      const together = results.length <= MAX_RESULTS_PER_BATCH
      if (!together) await publishDeviceResults(results)
      const body = together && results.length > 0 ? { ...summary, results } : summary
      await publish(names.summarySubject(summary.messageId), messageSummaryCodec.encode(body), `summary:${summary.messageId}`)
    },

    publishChunkSummary: (summary: ChunkSummary) =>
      publish(names.chunkSummarySubject(summary.campaignId), chunkSummaryCodec.encode(summary), `chunk:${summary.campaignId}:${summary.chunk}`),

    consumeResults (handler, { maxBatch }) {
      const summaryPrefix = names.summarySubject('')
      const chunkPrefix = names.chunkSummarySubject('')
      let stopper: { stop (): Promise<void> } | undefined
      const started = js.consumers.get(names.resultStream, names.recorderConsumer).then((consumer) => {
        stopper = consumeBatches(consumer, { maxBatch, concurrency: 1 }, async (messages) => {
          const events: ResultEvent[] = []
          const accepted: JsMsg[] = []
          for (const message of messages) {
            const decoded: ResultEvent[] | undefined = message.subject.startsWith(summaryPrefix)
              ? wrapSummary(decodeOrTerminate(message, messageSummaryCodec.decode))
              : message.subject.startsWith(chunkPrefix)
                ? wrapChunk(decodeOrTerminate(message, chunkSummaryCodec.decode))
                : wrapDevices(decodeOrTerminate(message, deviceResultsCodec.decode))
            if (decoded === undefined) continue
            events.push(...decoded)
            accepted.push(message)
          }
          try {
            if (events.length > 0) await handler(events)
          } catch (error) {
            for (const message of accepted) message.nak(1000)
            throw error
          }
          for (const message of accepted) message.ack()
        }, onError)
      })
      const handle = { stop: async () => { await started; await stopper?.stop() } }
      consumers.push(handle)
      return handle
    },

    watchSummary: (messageId) => summaries.watch(messageId),

    consumeAbandonedCommands: (handler) => track(abandonedCommands(nc, names, handler, onError)),

    async close () {
      await Promise.all(consumers.map((consumer) => consumer.stop()))
      await nc.drain()
    }
  }
}

// Results that came with the summary are recorded first, as if they had arrived apart.
const wrapSummary = (decoded: MessageSummary | undefined): ResultEvent[] | undefined => {
  if (decoded === undefined) return undefined
  const { results = [], ...summary } = decoded
  return [...results.map((result): ResultEvent => ({ kind: 'device', result })), { kind: 'summary', summary }]
}
const wrapChunk = (summary: ChunkSummary | undefined): ResultEvent[] | undefined =>
  summary === undefined ? undefined : [{ kind: 'chunk', summary }]
const wrapDevices = (decoded: DeviceResultBatch | DeviceResult | undefined): ResultEvent[] | undefined =>
  decoded === undefined ? undefined : ('results' in decoded ? decoded.results : [decoded]).map((result) => ({ kind: 'device', result }))

// JetStream's "message size exceeds maximum allowed" (the stream's max_msg_size).
const JS_MESSAGE_TOO_LARGE = 10054

/** Over the connection's max_payload (refused before sending) or the stream's message size limit. */
function isRefusal (error: unknown): boolean {
  if (error instanceof JetStreamApiError) return error.code === JS_MESSAGE_TOO_LARGE
  return error instanceof Error && error.name === 'InvalidArgumentError' && error.message.includes('max_payload')
}
