import { readFileSync } from 'node:fs'
import { commandId } from '@beacon/contracts'
import { createDb, createSecretBox, type Db } from '@beacon/db'
import type { Stoppable, Transport } from '@beacon/transport'
import type { Logger } from 'pino'
import type { DispatcherConfig } from './config.js'
import { createCredentialStore } from './credentials.js'
import { handleCommand, type DispatchDeps } from './delivery/handle-command.js'
import { createApnsSender } from './senders/apns/apns-sender.js'
import { createFcmSender } from './senders/fcm/fcm-sender.js'

export interface Dispatcher {
  start (): void
  /** Stops taking commands, finishes those in hand, then releases providers and the database. */
  stop (): Promise<void>
}

export interface DispatcherOptions {
  config: DispatcherConfig
  transport: Transport
  log: Logger
  /** Given by the embedded default, which shares one client with the api; otherwise owned. */
  db?: Db
}

const readCa = (file: string | null) => (file === null ? null : readFileSync(file))

/** A dispatcher: takes send commands from the transport and delivers them through APNs and FCM. */
export function createDispatcher ({ config, transport, log, db: givenDb }: DispatcherOptions): Dispatcher {
  const db = givenDb ?? createDb({ url: config.databaseUrl, poolSize: config.databasePoolSize })
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
    retry: config.retry,
    log
  }
  let consumer: Stoppable | undefined

  return {
    start () {
      consumer = transport.consumeCommands(async (delivery) => {
        // A heartbeat while we work: a long send must not look like a dead dispatcher.
        const heartbeat = setInterval(() => delivery.working(), Math.max(config.commandAckWaitMs / 3, 500))
        try {
          await handleCommand(deps, delivery)
          log.debug({ command: commandId(delivery.command), delivery: delivery.deliveryCount }, 'command done')
        } catch (error) {
          const delayMs = Math.min(1000 * 2 ** (delivery.deliveryCount - 1), 60_000)
          log.error({ err: error, command: commandId(delivery.command), delivery: delivery.deliveryCount }, 'command failed; it will be retried')
          delivery.retry(delayMs)
        } finally {
          clearInterval(heartbeat)
        }
      }, { concurrency: config.concurrency })
      log.info({ concurrency: config.concurrency }, 'dispatcher started')
    },
    async stop () {
      await consumer?.stop()
      await Promise.all([deps.senders.APNS.close(), deps.senders.FCM.close()])
      if (givenDb === undefined) await db.$disconnect()
    }
  }
}
