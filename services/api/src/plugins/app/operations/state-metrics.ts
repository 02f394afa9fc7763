import fp from 'fastify-plugin'
import { watchDatabase } from '../../../metrics/database-gauges.js'
import { countInAppSockets } from '../../../metrics/in-app-sockets.js'

/**
 * The gauges read at scrape time from what this api holds: its open in-app sockets, and (through
 * its pool) the running campaigns and the outbox. From ready to close only.
 */
export default fp(async (app) => {
  const stop: Array<() => void> = []
  app.addHook('onReady', async () => {
    stop.push(watchDatabase(app.db.pool), countInAppSockets(() => app.inApp.sockets.size))
  })
  app.addHook('onClose', async () => { for (const done of stop.splice(0)) done() })
}, { name: 'state-metrics', dependencies: ['db', 'in-app-channel'] })
