// Runs one dispatcher process: connects, consumes until SIGTERM, then stops within
// SHUTDOWN_TIMEOUT_MS (what is unfinished goes back to the queue) and exits.
import { createNatsTransport } from '@beacon/transport'
import { pino } from 'pino'
import { loadOrExit } from '@beacon/config'
import { loadConfig } from './config.js'
import { createDispatcher } from './dispatcher.js'
import { startOpsListener } from './ops-listener.js'

const config = loadOrExit(() => loadConfig())

// Asynchronous stdout: one write per burst of lines instead of a blocking write per line. pino
// flushes it on exit; only a hard kill can lose the last lines.
const log = pino({ level: config.logLevel, name: 'dispatcher' }, pino.destination({ sync: false }))
const transport = await createNatsTransport({
  servers: config.nats.url,
  prefix: config.nats.prefix,
  name: `beacon-dispatcher-${process.pid}`,
  onError: (error) => log.error({ err: error }, 'transport error')
})
const dispatcher = createDispatcher({ config, transport, log })
const closeOps = await startOpsListener(config, dispatcher)
dispatcher.start()

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return
    stopping = true
    log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'stopping: finishing commands in hand')
    // The last resort if something hangs past the deadline (the stop itself keeps within it).
    setTimeout(() => {
      log.error('shutdown deadline reached: exiting')
      process.exit(1)
    }, config.shutdownTimeoutMs - 50).unref()
    // Most of the time for the commands; the rest for closing the NATS connection.
    const stopMs = Math.floor(config.shutdownTimeoutMs * 0.85)
    dispatcher.stop(stopMs)
      .then(closeOps)
      .then(() => Promise.race([transport.close(), new Promise((resolve) => setTimeout(resolve, config.shutdownTimeoutMs - stopMs - 100).unref())]))
      .then(() => process.exit(0), (error: unknown) => {
        log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      })
  })
}
