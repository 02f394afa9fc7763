import fp from 'fastify-plugin'
import { createPowerAuthClient, type PowerAuthClient, type PowerAuthServiceConfig } from '../../domain/powerauth/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** null without POWERAUTH_SERVICE_URL: callers then state user and status themselves. */
    powerAuth: PowerAuthClient | null
  }
}

export default fp<{ service: PowerAuthServiceConfig | null }>(async (app, { service }) => {
  app.decorate('powerAuth', service === null ? null : createPowerAuthClient(service, app.log))
}, { name: 'powerauth' })
