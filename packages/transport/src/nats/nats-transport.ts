import { commandId, MAX_RESULTS_PER_BATCH, natsNames, type ChunkSummary, type Command, type DeviceResult, type DeviceResultBatch, type MessageSummary } from '@beacon/contracts'
import { jetstream, jetstreamManager, type JetStreamManager, type JsMsg } from '@nats-io/jetstream'
import { connect, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node'
import { chunkSummaryCodec, commandCodec, deviceResultBatchCodec, deviceResultsCodec, messageSummaryCodec } from '../codec.js'
import { TransportError, TransportErrorCode } from '../errors.js'
import type { CloseOptions, CommandDelivery, ResultEvent, Transport } from '../transport.js'
import { abandonedCommands } from './abandoned-commands.js'
import { invalidCommandSummary } from './invalid-commands.js'
import { consumeBatches } from './consume.js'
import { consumeSlots } from './consume-slots.js'
import { deliveriesSpent, handedBackCopy } from './handed-back.js'
import { resultBatches } from './result-batches.js'
import { signedApiTransport } from './signed-api.js'
import { summaryWatches } from './summary-watches.js'
import { publishError } from './publish-errors.js'
import { checkStreams, readQueueState } from './queue-state.js'
import { ensureCommandConsumer, ensureTopology, type CommandConsumerSettings } from './topology.js'

/** How soon an invalid command whose failure could not be told comes again, to tell it. */
const INVALID_COMMAND_RETRY_MS = 5000

/**
 * `commandAckWaitMs` and `commandMaxDeliver` are the command consumer's settings when this
 * transport consumes commands and consumeCommands is not given its own; an api never sets them.
 */
export interface NatsTransportOptions extends Partial<CommandConsumerSettings> {
  servers: string | string[]
  /** Prefix of every subject and stream name (see natsNames). */
  prefix: string
  /** Connection name, shown by the NATS server. */
  name: string
  /**
   * How often the connection pings the server (NATS_PING_INTERVAL_MS): with two pings unanswered at
   * the next tick it is taken for dead and reconnected, each attempt given as long (2 s at least).
   * Default: nats.js's, 2 minutes (and 20 s an attempt).
   */
  pingIntervalMs?: number
  /** Called with errors of the consume loops (bad messages, handler failures). */
  onError?: (error: unknown) => void
}

/** How long the transport's close lets the connection drain, without a limit of the caller's, before it closes it. */
export const CLOSE_LIMIT_MS = 2000

/** `work`, or a CLOSE_TIMEOUT failure once `ms` passed; the timer does not outlive it. */
async function within<T> (work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new TransportError(TransportErrorCode.CLOSE_TIMEOUT, `${what} within ${Math.round(ms)} ms`)) }, ms)
  })
  try {
    return await Promise.race([work, limit])
  } finally {
    clearTimeout(timer)
  }
}

export async function createNatsTransport (options: NatsTransportOptions): Promise<Transport> {
  const names = natsNames(options.prefix)
  let nc: NatsConnection
  try {
    // noAsyncTraces: nats.js otherwise builds an Error (a stack trace) up front for every request
    // and publish acknowledgement, in case it fails: ~4% of a dispatcher's CPU, measured.
    nc = await connect({
      servers: options.servers,
      name: options.name,
      maxReconnectAttempts: -1,
      noAsyncTraces: true,
      // Each attempt at a new connection waits as long as a ping interval (2 s at least), not 20 s:
      // while NATS is silent an attempt hangs for all of it, and NATS back a moment later waited.
      ...(options.pingIntervalMs === undefined ? {} : { pingInterval: options.pingIntervalMs, maxPingOut: 2, timeout: Math.max(2000, options.pingIntervalMs) })
    })
  } catch (cause) {
    throw new TransportError(TransportErrorCode.CONNECT_FAILED, `cannot connect to NATS at ${String(options.servers)}`, { cause })
  }
  const onError = options.onError ?? (() => {})
  let jsm: JetStreamManager
  try {
    jsm = await jetstreamManager(nc)
    await ensureTopology(jsm, names)
  } catch (cause) {
    await nc.close()
    throw new TransportError(TransportErrorCode.CONNECT_FAILED, 'cannot set up the JetStream streams', { cause })
  }
  const js = jetstream(nc)
  const consumers: Array<{ stop (): Promise<void> }> = []

  const publishWith = async (subject: string, data: Uint8Array, options: { msgID: string, headers?: MsgHdrs }) => {
    try {
      await js.publish(subject, data, options)
    } catch (cause) {
      throw publishError(subject, cause)
    }
  }
  const publish = (subject: string, data: Uint8Array, msgID: string) => publishWith(subject, data, { msgID })

  const decodeOrTerminate = <T>(message: JsMsg, decode: (data: Uint8Array) => T): T | undefined => {
    try { return decode(message.data) } catch (error) {
      message.term()
      onError(error)
      return undefined
    }
  }

  const track = (stoppable: { stop (): Promise<void> }) => { consumers.push(stoppable); return stoppable }

  // Whether the failure of an invalid command was told (or there was nothing to tell). Its own
  // de-duplication id: a dispatcher of another version that reads the same command sends it, and
  // that one's summary, with its results, must not be dropped as a repeat of this one.
  const failInvalidCommand = async (data: Uint8Array): Promise<boolean> => {
    const summary = invalidCommandSummary(data)
    try {
      if (summary === undefined) return true
      if ('message' in summary) await publish(names.summarySubject(summary.message.messageId), messageSummaryCodec.encode(summary.message), `summary:${summary.message.messageId}:invalid`)
      else await publish(names.chunkSummarySubject(summary.chunk.campaignId), chunkSummaryCodec.encode(summary.chunk), `chunk:${summary.chunk.campaignId}:${summary.chunk.chunk}:invalid`)
      return true
    } catch (error) {
      onError(error)
      return false
    }
  }

  const summaries = summaryWatches(nc, names, onError)

  const publishDeviceResults = async (results: DeviceResult[]) => {
    await Promise.all(resultBatches(names, results).map((batch) =>
      publish(batch.subject, deviceResultBatchCodec.encode({ results: batch.results }), batch.msgID)))
  }

  return {
    ...signedApiTransport({ nc, js, names, publish, decodeOrTerminate, track, onError }),

    publishCommand: (command: Command) =>
      publish(names.commandSubject, commandCodec.encode(command), commandId(command)),

    consumeCommands (handler, { concurrency, chunkConcurrency = concurrency, ackWaitMs, maxDeliver, ready }) {
      // The consumer is the dispatchers' to define, with their settings (see ensureTopology).
      const settings = {
        commandAckWaitMs: ackWaitMs ?? options.commandAckWaitMs ?? 30_000,
        commandMaxDeliver: maxDeliver ?? options.commandMaxDeliver ?? 10
      }
      let stopRequested = false
      // Set up until it works (NATS may be away when a dispatcher starts): a consumer that never
      // started would leave the dispatcher running idle.
      const consumerReady = (async () => {
        for (;;) {
          try {
            await ensureCommandConsumer(jsm, names, settings)
            return await js.consumers.get(names.commandStream, names.dispatcherConsumer)
          } catch (error) {
            if (stopRequested) throw error
            onError(error)
            await new Promise((resolve) => setTimeout(resolve, 1000))
          }
        }
      })()
      let stopper: { stop (): Promise<void> } | undefined
      // Counted as each is handed over (synchronously, within the pull), uncounted as it ends.
      let chunksInHand = 0
      const started = consumerReady.then((consumer) => {
        if (stopRequested) return
        stopper = consumeSlots(consumer, { concurrency, pullLimit: () => chunkConcurrency - chunksInHand, ...(ready === undefined ? {} : { ready }) }, async (message) => {
          let command: Command
          try { command = commandCodec.decode(message.data) } catch (error) {
            onError(error)
            // Terminated once its failure is told; told again if that failed.
            if (await failInvalidCommand(message.data)) message.term()
            else message.nak(INVALID_COMMAND_RETRY_MS)
            return
          }
          const chunk = command.kind === 'campaign-chunk'
          if (chunk) chunksInHand++
          // A copy handed back at a stop goes on counting its command's deliveries (handed-back.ts);
          // one whose count cannot be read is on its last.
          const spent = deliveriesSpent(message.headers)
          const deliveryCount = (spent === 'unreadable' ? settings.commandMaxDeliver : spent ?? 0) + message.info.deliveryCount
          const delivery: CommandDelivery = {
            command,
            deliveryCount,
            firstDelivery: spent === undefined && message.info.deliveryCount === 1,
            lastDelivery: deliveryCount >= settings.commandMaxDeliver,
            working: () => message.working(),
            // A plain ack, not ackAck: a lost ack only redelivers the command after its ack wait,
            // by when its published results are recorded and its claims say it was done (a device
            // whose result is not yet recorded would be sent again); waiting for the server's word
            // cost a round trip per command.
            ack: async () => { message.ack() },
            retry: (delayMs) => message.nak(delayMs),
            async handBack () {
              const copy = handedBackCopy(commandId(command), message.seq, message.info.deliveryCount, deliveryCount)
              await publishWith(names.commandSubject, message.data, copy)
              // A plain ack, as above: were it lost, the original comes again after its ack wait
              // beside its copy, and the command's lease lets one of them send, as for any two copies.
              message.ack()
            }
          }
          try {
            await handler(delivery)
          } finally {
            if (chunk) chunksInHand--
          }
        }, onError)
      })
      const handle = { stop: async () => { stopRequested = true; await started.catch(() => {}); await stopper?.stop() } }
      consumers.push(handle)
      return handle
    },

    watchConnection (listener) {
      let watching = true
      // A QueuedIterator at run time; typed as a plain iterable, so its stop() is looked up.
      const status = nc.status() as AsyncIterable<{ type: string }> & { stop?: () => void }
      const events = (async () => {
        for await (const event of status) {
          if (!watching) break
          if (event.type === 'disconnect') listener(false)
          else if (event.type === 'reconnect') listener(true)
        }
      })()
      events.catch(onError)
      return track({ stop: async () => { watching = false; status.stop?.() } })
    },

    checkReady: () => checkStreams(nc, jsm, names),
    queueState: () => readQueueState(jsm, names),

    publishDeviceResults,

    async publishSummary (summary: MessageSummary, results: DeviceResult[] = []) {
      const together = results.length <= MAX_RESULTS_PER_BATCH
      if (!together) await publishDeviceResults(results)
      const body = together && results.length > 0 ? { ...summary, results } : summary
      await publish(names.summarySubject(summary.messageId), messageSummaryCodec.encode(body), `summary:${summary.messageId}`)
    },

    publishChunkSummary: (summary: ChunkSummary) =>
      publish(names.chunkSummarySubject(summary.campaignId), chunkSummaryCodec.encode(summary), `chunk:${summary.campaignId}:${summary.chunk}`),

    consumeResults (handler, { maxBatch, spacingMs }) {
      const summaryPrefix = names.summarySubject('')
      const chunkPrefix = names.chunkSummarySubject('')
      let stopper: { stop (): Promise<void> } | undefined
      const started = js.consumers.get(names.resultStream, names.recorderConsumer).then((consumer) => {
        stopper = consumeBatches(consumer, { maxBatch, concurrency: 1, ...(spacingMs === undefined ? {} : { spacingMs }) }, async (messages) => {
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

    async close ({ limitMs }: CloseOptions = {}) {
      const deadline = limitMs === undefined ? undefined : performance.now() + limitMs
      const left = (otherwise: number) => deadline === undefined ? otherwise : Math.max(0, deadline - performance.now())
      try {
        // The consumers first, their handlers finishing. Without a limit as long as they take (the
        // api stops its consumers itself before); with one (a dispatcher's share of its shutdown),
        // within it: handlers still running then are the next holder's.
        const stops = Promise.all(consumers.map((consumer) => consumer.stop()))
        if (deadline === undefined) await stops.catch(onError)
        else await within(stops, left(0), 'the consumers did not stop')
        // Draining needs the server. While it is unreachable nothing can be flushed anyway, and the
        // connection would go on reconnecting (without end: maxReconnectAttempts -1), keeping the
        // process alive: it is closed instead, and the drain's error reported. A server that keeps
        // the connection open and answers nothing (a partition) let the drain wait for NATS's ping
        // timeout, minutes, past any shutdown deadline: it gets what is left of the limit, or 2 s.
        await within(nc.drain(), left(CLOSE_LIMIT_MS), 'NATS did not let the connection drain')
      } catch (error) {
        onError(error)
        await nc.close()
      }
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
