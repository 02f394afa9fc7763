// Listens and shuts down; everything else is in app.ts.
import { loadOrExit } from '@beacon/config'
import { pino } from 'pino'
import { loadConfig } from './config.js'
import { createServer, loggerOptions } from './create-server.js'
import { reloadTlsCertificate } from './tls/reload.js'

const config = loadOrExit(() => loadConfig())

// Asynchronous stdout: one write per burst of lines instead of a blocking write per line (a
// write was ~7% of the api's CPU under load here). pino flushes it on exit;
// only a hard kill can lose the last lines.
const app = await createServer(config, { logger: { ...loggerOptions(config) as object, stream: pino.destination({ sync: false }) } })
let closing = false
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    app.close().then(() => process.exit(0), (error: unknown) => {
      app.log.error({ err: error }, 'shutdown failed')
      process.exit(1)
    })
  })
}
// SIGHUP re-reads the certificate (after a renewal) without a restart. Without TLS it keeps
// Node's default, ending the process, as before.
const tls = config.tls
if (tls !== null) process.on('SIGHUP', () => { reloadTlsCertificate(app, tls.files) })
await app.listen({ host: config.host, port: config.port })
