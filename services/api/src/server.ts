// Listens and shuts down; everything else is in app.ts.
import { loadOrExit } from '@beacon/config'
import { loadConfig } from './config.js'
import { createServer } from './create-server.js'

const config = loadOrExit(() => loadConfig())

const app = await createServer(config)
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
await app.listen({ host: config.host, port: config.port })
