import { readFileSync } from 'node:fs'
import { backoffDelay } from '@beacon/backoff'
import { commandId } from '@beacon/contracts'
import { createDb, createSecretBox, type Db } from '@beacon/db'
import type { ReadinessCheck } from '@beacon/metrics'
import type { Stoppable, Transport } from '@beacon/transport'
import type { Logger } from 'pino'
import type { DispatcherConfig } from './config.js'
import { createCredentialStore } from './credentials.js'
import { forgetOldLeases } from './delivery/commands/lease.js'
import { CommandRun, createStopping, REDELIVERY_BACKOFF, StoppedWhileHeld } from './delivery/commands/run.js'
import { handleCommand, type DispatchDeps } from './delivery/commands/handle-command.js'
import { SendSlots, sendSlotsRegistry } from './delivery/sends/send-slots.js'
import { endFailed } from './delivery/commands/terminal.js'
import { createHealth } from './health.js'
import { commandTaken, type CommandOutcome } from './metrics/commands.js'
import { reportQueues } from './metrics/queues.js'
import { createDeadline } from './delivery/commands/deadline.js'
import { readinessChecks } from './readiness.js'
import { createApnsSender } from './senders/apns/apns-sender.js'
import { createFcmSender } from './senders/fcm/fcm-sender.js'
import { sharedAsyncResourceBindInstalled } from './senders/async-resource-bind.js'

export interface Dispatcher {
  start (): void
  /**
   * Stops taking commands and opening claim windows, awaits the requests in flight for up to
   * `timeoutMs` (default SHUTDOWN_TIMEOUT_MS, less a margin to close), publishes what is known,
   * gives unfinished commands back for immediate redelivery (releasing the claims of devices
   * waiting for a retry), then releases providers and the database. Resolves within `timeoutMs`
   * even if a provider or the database hangs.
   */
  stop (timeoutMs?: number): Promise<void>
  /** What /readyz asks: the database (through this dispatcher's pool), NATS, the streams. */
  readonly readiness: ReadinessCheck[]
}

export interface DispatcherOptions {
  config: DispatcherConfig
  transport: Transport
  log: Logger
  /** Given by the embedded default, which shares one client with the api; otherwise owned. */
  db?: Db
}

// Finished commands' leases are kept a day (delivery/commands/lease.ts); swept hourly.
const LEASE_SWEEP_MS = 3_600_000

const readCa = (file: string | null) => (file === null ? null : readFileSync(file))

/** Resolves after `ms`, or at once if `ms` ≤ 0 (the timer does not keep the process up). */
const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)).unref())

/** A dispatcher: takes send commands from the transport and delivers them through APNs and FCM. */
export function createDispatcher ({ config, transport, log, db: givenDb }: DispatcherOptions): Dispatcher {
  const db = givenDb ?? createDb({
    url: config.databaseUrl,
    poolSize: config.databasePoolSize,
    groupSpacingMs: config.databaseGroupSpacingMs,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    queryTimeoutMs: config.databaseQueryTimeoutMs
  })
  const health = createHealth(db, transport, log)
  // A heartbeat (and a lease renewal) a third of the ack wait apart. A lease lasts the ack wait:
  // a dead holder's lapses about when JetStream hands its command out again.
  const heartbeatMs = Math.max(config.commandAckWaitMs / 3, 500)
  const deps: DispatchDeps = {
    db,
    transport,
    credentials: createCredentialStore(db, createSecretBox(config.masterKey), log),
    senders: {
      APNS: createApnsSender({ url: config.apns.endpoint, ca: readCa(config.apns.caFile), requestTimeoutMs: config.apns.requestTimeoutMs, maxStreams: config.apns.maxStreams }),
      FCM: createFcmSender({
        url: config.fcm.endpoint,
        ca: readCa(config.fcm.caFile),
        requestTimeoutMs: config.fcm.requestTimeoutMs,
        concurrency: config.fcm.concurrency,
        tokenEndpoints: config.fcm.tokenEndpoints,
        log
      })
    },
    slots: sendSlotsRegistry({ APNS: config.apns.maxStreams, FCM: config.fcm.concurrency }),
    chunksSending: new SendSlots(config.chunksSending),
    health,
    retry: config.retry,
    lease: { durationMs: Math.round(Math.max(config.commandAckWaitMs, 3 * heartbeatMs)), renewEveryMs: heartbeatMs },
    log
  }
  const stopping = createStopping(config.concurrency)
  const deadline = createDeadline()
  let consumer: Stoppable | undefined
  let sweeper: NodeJS.Timeout | undefined
  let unreportQueues = () => {}
  // Commands in hand, by id, with whether they ended acknowledged. JetStream hands a command out
  // again when its ack wait passes without a heartbeat (a starved event loop): a second copy
  // handled beside the first would take over the first's claims and send them twice.
  const inHand = new Map<string, Promise<boolean>>()

  const handleOnce = async (run: CommandRun) => {
    const id = commandId(run.delivery.command)
    const taken = commandTaken(run.delivery.command.kind)
    // A handling that threw left the command unsettled: JetStream redelivers it after its ack wait.
    let outcome: CommandOutcome = 'given_back'
    try {
      const earlier = inHand.get(id)
      if (earlier !== undefined && await earlier) {
        log.warn({ command: id, delivery: run.delivery.deliveryCount }, 'a command already done here came again; acknowledged')
        await run.delivery.ack()
        outcome = 'done'
        return
      }
      let settle: (acknowledged: boolean) => void = () => {}
      const handled = new Promise<boolean>((resolve) => { settle = resolve })
      inHand.set(id, handled)
      try {
        outcome = await handle(run)
        settle(outcome === 'done' || outcome === 'abandoned')
      } finally {
        settle(false)
        if (inHand.get(id) === handled) inHand.delete(id)
      }
    } finally {
      taken.end(outcome)
    }
  }

  /**
   * How the command left: `done` or `abandoned` (failed on its last delivery) acknowledged,
   * `given_back` to the queue, `overtaken` (left to another dispatcher holding it).
   */
  const handle = async (run: CommandRun): Promise<CommandOutcome> => {
    const { delivery } = run
    const command = commandId(delivery.command)
    try {
      await handleCommand(deps, run)
      log.debug({ command, delivery: delivery.deliveryCount }, 'command done')
      if (run.overtaken || run.leftToHolder) return 'overtaken'
      return run.givenBack ? 'given_back' : 'done'
    } catch (error) {
      if (run.overtaken) {
        // Another dispatcher holds the command now: its outcome is that one's to report.
        log.warn({ err: error, command }, 'command failed after another dispatcher took it over; left to that one')
        return 'overtaken'
      }
      if (error instanceof StoppedWhileHeld) {
        log.warn({ err: error, command }, 'stopping: command given back')
        delivery.retry(0)
        return 'given_back'
      }
      if (delivery.lastDelivery) {
        log.error({ err: error, command, delivery: delivery.deliveryCount }, 'command failed on its last delivery; it ends as failed')
        try {
          await endFailed(deps, run)
          return 'abandoned'
        } catch (failure) {
          log.error({ err: failure, command }, 'the failed command could not be reported')
          delivery.retry(0)
          return 'given_back'
        }
      } else {
        const delayMs = backoffDelay(REDELIVERY_BACKOFF, delivery.deliveryCount)
        // handleCommand published the answers in hand and wrote them onto the claims.
        log.error({ err: error, command, delivery: delivery.deliveryCount }, 'command failed; it will be retried')
        delivery.retry(delayMs)
        return 'given_back'
      }
    }
  }

  return {
    readiness: readinessChecks(db, transport),
    start () {
      unreportQueues = reportQueues(transport, config.nats.prefix)
      consumer = transport.consumeCommands(async (delivery) => {
        // A heartbeat while we work, including while a step is held through an outage: a long
        // send must not look like a dead dispatcher, and a held command spends no delivery.
        const run = new CommandRun(delivery, health, stopping.signal, deadline)
        const heartbeat = setInterval(() => {
          // An overtaken copy's heartbeats would hide its new holder's death from JetStream.
          if (run.overtaken) return
          // A heartbeat that cannot go out (NATS away) is simply the next one's to make.
          try { delivery.working() } catch {}
        }, heartbeatMs)
        try {
          await handleOnce(run)
        } finally {
          clearInterval(heartbeat)
          run.end()
        }
      }, {
        concurrency: config.concurrency,
        chunkConcurrency: config.chunkConcurrency,
        ackWaitMs: config.commandAckWaitMs,
        maxDeliver: config.commandMaxDeliver,
        ready: () => health.ready()
      })
      const forget = () => { forgetOldLeases(db).catch((error: unknown) => log.debug({ err: error }, 'old command leases not cleared')) }
      forget()
      sweeper = setInterval(forget, LEASE_SWEEP_MS).unref()
      log.info({ concurrency: config.concurrency, chunkConcurrency: config.chunkConcurrency, chunksSending: config.chunksSending, sharedAsyncResourceBind: sharedAsyncResourceBindInstalled() }, 'dispatcher started')
    },
    async stop (timeoutMs = config.shutdownTimeoutMs) {
      clearInterval(sweeper)
      unreportQueues()
      const end = Date.now() + timeoutMs
      // Waiting for the requests on the wire ends early enough to give every command back (publish
      // its answers, write them on its claims, release the rest: a few statements per command in
      // hand) and close: 40% of the time, at most 2 s. A give-back cut short leaves answers
      // unrecorded, which the next holder sends again.
      const closing = Math.min(2000, timeoutMs * 0.4)
      stopping.abort()
      after(end - closing - Date.now()).then(() => { deadline.reach() }, () => {})
      await Promise.race([consumer?.stop(), deadline.reached.then(() => after(closing * 0.75))])
      await Promise.race([Promise.all([deps.senders.APNS.close(), deps.senders.FCM.close()]), after(end - Date.now() - closing / 4)])
      await health.close()
      if (givenDb === undefined) await Promise.race([db.$disconnect(), after(end - Date.now())])
    }
  }
}
