// Listens and shuts down; everything else is in app.ts.
import { loadOrExit } from '@beacon/config'
import closeWithGrace from 'close-with-grace'
import { pino } from 'pino'
import { loadConfig } from './config.js'
import { createServer, loggerOptions } from './create-server.js'
import { reloadTlsCertificate } from './tls/reload.js'

const config = loadOrExit(() => loadConfig())

// Asynchronous stdout: one write per burst of lines instead of a blocking write per line (a
// write was ~7% of the api's CPU under load here). pino flushes it on exit;
// only a hard kill can lose the last lines.
const app = await createServer(config, { logger: { ...loggerOptions(config) as object, stream: pino.destination({ sync: false }) } })

// A stop signal, an uncaught exception or an unhandled rejection: the same graceful close (stop
// listening, answer what is in flight, drain NATS, close the pool), bounded by SHUTDOWN_TIMEOUT_MS,
// then exit 0 for a signal, 1 for an error or a close past its deadline. A second signal while
// closing exits at once (code 1): the operator's "now".
closeWithGrace({
  delay: config.shutdownTimeoutMs,
  logger: false,
  // With TLS, SIGHUP re-reads the certificate (below) instead of stopping.
  skip: config.tls === null ? [] : ['SIGHUP'],
  onTimeout: (delay) => { app.log.error({ timeoutMs: delay }, 'shutdown deadline reached: exiting') },
  onSecondSignal: (signal) => { app.log.error({ signal }, 'second signal while shutting down: exiting now') },
  onSecondError: (error) => { app.log.error({ err: error }, 'another uncaught error while shutting down: exiting now') }
}, async ({ signal, err }) => {
  if (err !== undefined) app.log.fatal({ err }, 'uncaught error: shutting down')
  else app.log.info({ signal }, 'shutting down')
  try {
    await app.close()
  } catch (error) {
    app.log.error({ err: error }, 'shutdown failed')
    throw error
  }
  app.log.info('closed')
})

// SIGHUP re-reads the certificate (after a renewal) without a restart.
const tls = config.tls
if (tls !== null) process.on('SIGHUP', () => { reloadTlsCertificate(app, tls.files) })
await app.listen({ host: config.host, port: config.port })
