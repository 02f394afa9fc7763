import { readFileSync } from 'node:fs'
import { ServiceStatusResponse } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { javaTimestamp } from '../../domain/powerauth/timestamps.js'

const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
// The build time of a deployment is the moment this module was loaded from its build output;
// BUILD_TIME (set by the container build) says when the image itself was built.
const buildTime = process.env.BUILD_TIME ?? javaTimestamp(new Date())

/** `GET /push/service/status`, with PowerAuth's fields and timestamp format. */
const serviceRoutes: FastifyPluginAsyncTypebox<{ environmentName: string }> = async (app, { environmentName }) => {
  app.get('/push/service/status', { schema: { response: { 200: ServiceStatusResponse } } }, async () => ({
    status: 'OK' as const,
    responseObject: {
      applicationName: 'beacon-push',
      applicationDisplayName: 'Beacon Push Server',
      applicationEnvironment: environmentName,
      version: manifest.version,
      buildTime,
      timestamp: javaTimestamp(new Date())
    }
  }))
}
export default serviceRoutes
