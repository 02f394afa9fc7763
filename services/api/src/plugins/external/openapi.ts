import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { documentBase } from '../../openapi/document-base.js'
import { finishDocument } from '../../openapi/finish-document.js'
import { documentRoute } from '../../openapi/route-docs.js'

// Swagger UI's page loads only what the package serves from /docs/static: nothing from elsewhere.
const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'"

/** Every route of `scope` is public: it serves documentation, which describes the API and holds no secret. */
function publicRoutes (scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...route.config, auth: route.config?.auth ?? 'none' }
  })
}

/**
 * The OpenAPI 3.1 document of the api, generated from the routes' TypeBox schemas by
 * @fastify/swagger, at `GET /openapi.json`, and Swagger UI at `/docs`. Registered before the
 * routes (it collects them as they are added). The document only reads the route schemas: what
 * it adds (security, examples, error answers) never reaches validation.
 */
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: documentBase(),
    transform: documentRoute,
    transformObject: (built) => 'openapiObject' in built ? finishDocument(built.openapiObject) : built.swaggerObject
  })
  await app.register(async function apiDocs (docs) {
    publicRoutes(docs)
    docs.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
    await docs.register(swaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP })
  })
}, { name: 'openapi' })
