/**
 * Every NATS name Beacon uses, derived from one prefix so that deployments (and test runs) sharing a
 * NATS server never see each other's traffic. Nothing else in the workspace spells a subject.
 */
export interface NatsNames {
  /** Work-queue stream of send commands; the dispatchers share one durable consumer. */
  commandStream: string
  commandSubject: string
  dispatcherConsumer: string
  /** JetStream's advisory that the dispatchers' consumer gave up on a command (max deliveries reached). */
  commandMaxDeliveriesAdvisory: string
  /** The queue group of the api instances listening to it: one of them records each. */
  abandonedCommandRecorders: string
  /** Stream of delivery results; the api instances share one durable consumer that records them. */
  resultStream: string
  /** Per-device results of a message: `<resultSubjectPrefix>.device.<messageId>`. */
  deviceResultSubject (messageId: string): string
  /** The summary a dispatcher publishes when a command is done. */
  summarySubject (messageId: string): string
  /** Wildcard over every message's summary, for the api's awaited synchronous sends. */
  allSummaries: string
  /** Per-device results of a campaign, and the summary of each of its chunks. */
  campaignResultSubject (campaignId: string): string
  chunkSummarySubject (campaignId: string): string
  /** Wildcard over all results, for the recorder. */
  allResults: string
  recorderConsumer: string
  /** Work-queue stream of signed callbacks to developers; the api instances share one consumer. */
  callbackStream: string
  callbackSubject: string
  callbackConsumer: string
  /** Core NATS subject every api instance listens on to reach the in-app sockets it holds. */
  inAppSubject: string
}

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/

export function natsNames (prefix = 'beacon'): NatsNames {
  if (!TOKEN.test(prefix)) throw new TypeError(`NATS prefix must match ${String(TOKEN)}: ${prefix}`)
  const upper = prefix.toUpperCase().replace(/-/g, '_')
  const commandStream = `${upper}_COMMANDS`
  const dispatcherConsumer = 'dispatchers'
  return {
    commandStream,
    commandSubject: `${prefix}.commands.send`,
    dispatcherConsumer,
    commandMaxDeliveriesAdvisory: `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${commandStream}.${dispatcherConsumer}`,
    abandonedCommandRecorders: `${prefix}-abandoned-commands`,
    resultStream: `${upper}_RESULTS`,
    deviceResultSubject: (messageId) => `${prefix}.results.device.${messageId}`,
    summarySubject: (messageId) => `${prefix}.results.summary.${messageId}`,
    allSummaries: `${prefix}.results.summary.*`,
    campaignResultSubject: (campaignId) => `${prefix}.results.campaign.${campaignId}`,
    chunkSummarySubject: (campaignId) => `${prefix}.results.chunk.${campaignId}`,
    allResults: `${prefix}.results.>`,
    recorderConsumer: 'recorders',
    callbackStream: `${upper}_CALLBACKS`,
    callbackSubject: `${prefix}.callbacks.send`,
    callbackConsumer: 'callback-senders',
    inAppSubject: `${prefix}.inapp.deliver`
  }
}
