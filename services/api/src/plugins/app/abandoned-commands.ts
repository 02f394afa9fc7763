import type { Stoppable } from '@beacon/transport'
import fp from 'fastify-plugin'
import { recordAbandoned } from '../../domain/results/abandoned-commands.js'

/**
 * Listens, on every api instance, for commands JetStream gave up on (max deliveries reached: a
 * poison command, or an outage longer than the dispatchers' deliveries) and records their
 * terminal state; the transport hands each to one instance.
 */
export default fp(async (app) => {
  let listener: Stoppable | undefined
  app.addHook('onReady', async () => {
    listener = app.transport.consumeAbandonedCommands(async (abandoned) => {
      app.log.warn({ command: abandoned.command.kind, deliveries: abandoned.deliveries }, 'a command was given up after its last delivery; recorded as failed')
      await recordAbandoned(app.db, abandoned)
      app.outbox.kick()
    })
  })
  app.addHook('onClose', async () => { await listener?.stop() })
}, { name: 'abandoned-commands', dependencies: ['db', 'transport', 'outbox'] })
