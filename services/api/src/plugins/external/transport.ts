import { createNatsTransport, type Transport } from '@beacon/transport'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    transport: Transport
  }
}

export interface TransportPluginOptions {
  /** Given by the embedded default (in-process); otherwise a NATS connection is made and owned. */
  transport?: Transport
  nats: { url: string, prefix: string, pingIntervalMs: number }
}

/** How the api reaches the dispatchers. A connection it opened is drained on close. */
export default fp<TransportPluginOptions>(async (app, opts) => {
  const owned = opts.transport === undefined
  const transport = opts.transport ?? await createNatsTransport({
    servers: opts.nats.url,
    prefix: opts.nats.prefix,
    pingIntervalMs: opts.nats.pingIntervalMs,
    name: 'beacon-api',
    onError: (error) => app.log.error({ err: error }, 'transport error')
  })
  app.decorate('transport', transport)
  if (owned) app.addHook('onClose', async () => { await transport.close() })
}, { name: 'transport' })
