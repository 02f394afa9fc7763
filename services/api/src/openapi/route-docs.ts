import { ErrorResponse, SignedApiErrorBody } from '@beacon/contracts'
import type { FastifySchema, RouteOptions } from 'fastify'
import type { RouteAuth } from '../plugins/app/access/route-auth.js'
import { seedExampleOf } from './seed-examples.js'
import { securityOf } from './security-schemes.js'

type Schema = Record<string, unknown>
interface DocumentedRoute { schema: FastifySchema | undefined, url: string, route: RouteOptions }

const answer = (description: string, body: object): Schema => ({ ...body, description })

/** The error answers a route may give besides its own, by how its caller authenticates. */
function errorAnswers (auth: RouteAuth | undefined): Record<string, Schema> {
  switch (auth) {
    case 'basic': return {
      400: answer('The request is malformed or refused (ERROR_REQUEST lists `violations` on validated endpoints)', ErrorResponse),
      401: answer('Missing or wrong admin credentials', ErrorResponse),
      429: answer('Too many wrong credentials from this address, or too many requests; see Retry-After', ErrorResponse)
    }
    case 'basic-or-console-session': return {
      400: answer('The request is malformed or refused', ErrorResponse),
      401: answer('Missing or wrong admin credentials, or no valid console session (expired, logged out, or signed before the credentials changed)', ErrorResponse),
      403: answer('The console session cookie without the X-Beacon-Console header', ErrorResponse),
      429: answer('Too many wrong credentials from this address; see Retry-After', ErrorResponse)
    }
    case 'console-session': return {
      401: answer('No valid console session (missing, expired, logged out, or signed before the credentials changed); the cookie is cleared', ErrorResponse),
      403: answer('Without the X-Beacon-Console header', ErrorResponse)
    }
    case 'signed': return {
      400: answer('The request is malformed; the message names the field (code 40000)', SignedApiErrorBody),
      401: answer('Not signed, wrongly signed, unknown or disabled key, replayed nonce or stale X-M-Date: one answer for all (code 40100)', SignedApiErrorBody),
      403: answer('The developer may not address this carrier', SignedApiErrorBody),
      413: answer('The body is larger than the server accepts', SignedApiErrorBody),
      429: answer('Too many requests or failures; see Retry-After', SignedApiErrorBody)
    }
    case 'in-app-token': return {
      101: { description: 'Switching Protocols: the channel is open (JSON frames both ways)', type: 'null' },
      401: answer('No valid, unexpired in-app token, or its developer is no longer admitted', SignedApiErrorBody),
      426: answer('Not a WebSocket upgrade request', SignedApiErrorBody),
      429: answer('Too many connections from this address or with this token, or open for this developer; see Retry-After', SignedApiErrorBody),
      503: answer('As many in-app connections open on this server as it takes (INAPP_SOCKETS_MAX); see Retry-After', SignedApiErrorBody)
    }
    default: return {}
  }
}

// The signed API keeps the body bytes (its signature covers them): JSON is parsed for the route,
// any other content type reaches it as bytes. Only the echo takes both, and a body is optional.
const ANY_BODY = {
  content: {
    'application/json': { schema: { description: 'Any JSON value; echoed back parsed' } },
    'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream', description: 'Any other content type: signed over its bytes, not echoed' } }
  }
}

const UPGRADE_HEADERS = {
  type: 'object',
  properties: {
    connection: { type: 'string', description: 'Must include `Upgrade`' },
    upgrade: { type: 'string', enum: ['websocket'] },
    'sec-websocket-version': { type: 'string', enum: ['13'] },
    'sec-websocket-key': { type: 'string', description: 'RFC 6455 handshake key' }
  },
  required: ['connection', 'upgrade', 'sec-websocket-version', 'sec-websocket-key']
}

const withExamples = (schema: unknown, example: unknown): unknown =>
  example === undefined || typeof schema !== 'object' || schema === null ? schema : { ...schema, examples: [example] }

/**
 * @fastify/swagger's `transform`: what the document says of a route beyond its validation schema.
 * It returns new objects and never touches the route's schema, which validates requests.
 * - routes answering a wrong method with 405 (wrong-method.ts) are no operations: hidden;
 * - security from the route's declared authentication;
 * - the error answers of its API, the seed's examples, and the bodies and upgrade that the
 *   validation schema does not describe (raw signed bodies, the WebSocket).
 */
export function documentRoute ({ schema, url, route }: DocumentedRoute): { schema: Schema, url: string } {
  const base = (schema ?? {}) as Schema
  if (route.config?.wrongMethod === true) return { schema: { ...base, hide: true }, url }
  const auth = route.config?.auth
  const methods = [route.method].flat()
  const example = seedExampleOf(methods, url)
  const documented: Schema = {
    ...base,
    security: securityOf(auth),
    response: {
      ...errorAnswers(auth),
      ...Object.fromEntries(Object.entries((base.response ?? {}) as Schema).map(([status, body]) =>
        [status, status === '200' ? withExamples({ description: 'OK', ...body as Schema }, example?.response) : body]))
    }
  }
  if (base.body !== undefined) documented.body = withExamples(base.body, example?.request)
  else if (auth === 'signed' && methods.includes('POST')) {
    documented.body = ANY_BODY
    documented['x-optional-body'] = true
  }
  if ('wsHandler' in route || (route as { websocket?: boolean }).websocket === true) documented.headers = UPGRADE_HEADERS
  return { schema: documented, url }
}
