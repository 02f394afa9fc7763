import fp from 'fastify-plugin'
import { readJacksonValue } from '../../domain/powerauth/jackson-input.js'

/**
 * In the PowerAuth API's scope: every JSON body is read as PowerAuth's Java client writes it
 * (nulls for unset fields, dates as epoch numbers; see domain/powerauth/jackson-input.ts) before the route's
 * schema validates it. A route without a body schema takes no body, so there is nothing to read.
 */
export default fp(async (app) => {
  app.addHook('preValidation', (request, _reply, done) => {
    const schema = request.routeOptions.schema?.body
    if (schema !== undefined && typeof request.body === 'object' && request.body !== null) {
      request.body = readJacksonValue(request.body, schema)
    }
    done()
  })
}, { name: 'jackson-input' })
