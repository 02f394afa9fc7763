// Runs one dispatcher process: connects, consumes until SIGTERM, then drains and exits.
import { createNatsTransport } from '@beacon/transport'
import { pino } from 'pino'
import { loadOrExit } from '@beacon/config'
import { loadConfig } from './config.js'
import { createDispatcher } from './dispatcher.js'

const config = loadOrExit(() => loadConfig())

// Asynchronous stdout: one write per burst of lines instead of a blocking write per line. pino
// flushes it on exit; only a hard kill can lose the last lines.
const log = pino({ level: config.logLevel, name: 'dispatcher' }, pino.destination({ sync: false }))
const transport = await createNatsTransport({
  servers: config.nats.url,
  prefix: config.nats.prefix,
  name: `beacon-dispatcher-${process.pid}`,
  commandAckWaitMs: config.commandAckWaitMs,
  commandMaxDeliver: config.commandMaxDeliver,
  onError: (error) => log.error({ err: error }, 'transport error')
})
const dispatcher = createDispatcher({ config, transport, log })
dispatcher.start()

let stopping = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'stopping: finishing commands in hand')
    dispatcher.stop()
      .then(() => transport.close())
      .then(() => process.exit(0), (error: unknown) => {
        log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      })
  })
}
