// Runs one dispatcher process: connects, consumes until SIGTERM, then stops within
// SHUTDOWN_TIMEOUT_MS (what is unfinished goes back to the queue) and exits.
import closeWithGrace from 'close-with-grace'
import { pino } from 'pino'
import { loadOrExit } from '@beacon/config'
import { loadConfig } from './config.js'
import { createDispatcher } from './dispatcher.js'
import { connectNats } from './nats-connection.js'
import { startOpsListener } from './ops-listener.js'
import { shutdownBudget } from './shutdown-budget.js'

const config = loadOrExit(() => loadConfig())

// Asynchronous stdout: one write per burst of lines instead of a blocking write per line. pino
// flushes it on exit; only a hard kill can lose the last lines.
const log = pino({ level: config.logLevel, name: 'dispatcher' }, pino.destination({ sync: false }))
const transport = await connectNats(config, `beacon-dispatcher-${process.pid}`, (error) => log.error({ err: error }, 'transport error'))
const dispatcher = createDispatcher({ config, transport, log })
const closeOps = await startOpsListener(config, dispatcher, log)
const budget = shutdownBudget(config.shutdownTimeoutMs)

// A stop signal, an uncaught exception or an unhandled rejection: the commands in hand are
// finished or given back, then the connection closes; exit 0 for a signal, 1 for an error. The
// delay is the last resort if something hangs past the deadline (the stop itself keeps within it).
// A second signal while stopping exits at once (code 1).
closeWithGrace({
  delay: budget.exitAtMs,
  logger: false,
  onTimeout: () => { log.error('shutdown deadline reached: exiting') },
  onSecondSignal: (signal) => { log.error({ signal }, 'second signal while stopping: exiting now') },
  onSecondError: (error) => { log.error({ err: error }, 'another uncaught error while stopping: exiting now') }
}, async ({ signal, err }) => {
  if (err !== undefined) log.fatal({ err, timeoutMs: config.shutdownTimeoutMs }, 'uncaught error: stopping, finishing commands in hand')
  else log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'stopping: finishing commands in hand')
  // Most of the time for the commands; the rest for closing the NATS connection.
  try {
    await dispatcher.stop(budget.stopMs)
    await closeOps()
    // The close's own limit inside its share, so that handlers still running or a NATS answering
    // nothing still get the connection closed (and said) rather than left to the exit.
    await Promise.race([transport.close({ limitMs: Math.max(0, budget.closeMs - 20) }), new Promise((resolve) => setTimeout(resolve, budget.closeMs).unref())])
  } catch (error) {
    log.error({ err: error }, 'shutdown failed')
    throw error
  }
})
dispatcher.start()
