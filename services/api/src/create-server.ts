import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import fp from 'fastify-plugin'
import type { Transport } from '@beacon/transport'
import beaconApi from './app.js'
import { badRequest } from './errors.js'
import { jsonBodyText } from './json-body.js'
import { powerauthClientUrl } from './powerauth-client-url.js'
import { serializeError } from './log-error.js'
import { MAX_PARAM_LENGTH, answerRouterError } from './router-errors.js'
import { ajvOptions, sharedSchemaCompilers } from './schema-compilers.js'
import type { ApiConfig } from './config.js'
import { secureContextOptions } from './tls/credentials.js'
import { logCertificate } from './tls/reload.js'

/** Fastify with Beacon's settings and the api plugin; `server.ts` and the tests both start here. */
export interface ServerOptions {
  logger?: FastifyServerOptions['logger']
  /** In-process transport of the embedded default; NATS otherwise. */
  transport?: Transport
}

export async function createServer (config: ApiConfig, options: ServerOptions = {}): Promise<FastifyInstance> {
  const logger = options.logger ?? loggerOptions(config)
  const app = Fastify({
    logger,
    // With TLS, Node's https server on the same port: HTTPS, and WSS for the in-app channel.
    https: config.tls === null ? null : { ...secureContextOptions(config.tls.credentials), ...connectionChecks(config) },
    // The same for plain HTTP (Fastify reads `http` when `https` is null; its typings allow one of the two).
    ...({ http: connectionChecks(config) } as object),
    // One access line per request (below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // A client gets this long to send its whole request (headers and body): none can hold a
    // connection open by trickling a body. Answers may take longer (a SYNCHRONOUS send).
    requestTimeout: config.limits.requestTimeoutMs,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // PowerAuth develop's client encodes the query of its credential removals into the path (see there).
    rewriteUrl: (request) => powerauthClientUrl(request.method, request.url ?? '/'),
    frameworkErrors: answerRouterError,
    schemaController: { compilersFactory: sharedSchemaCompilers },
    ajv: ajvOptions
  }).withTypeProvider<TypeBoxTypeProvider>()
  // PowerAuth clients send "empty request bodies" with a JSON content type (campaign send/live,
  // deletes): that is no body, not malformed JSON. Everything else keeps Fastify's parser
  // (with its prototype-poisoning protection).
  const json = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    if ((body as Buffer).length === 0) return done(null, undefined)
    const read = jsonBodyText(body as Buffer)
    if ('refusal' in read) return done(badRequest(read.refusal), undefined)
    return json(request, read.text, done)
  })
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed')
    done()
  })
  // A client gone before its answer (in the middle of its body, say) gets none: its line says so.
  app.addHook('onRequestAbort', (request, done) => {
    request.log.info({ req: request }, 'request aborted')
    done()
  })
  // A WebSocket upgrade is answered by the socket, not a response: its line is written on arrival.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers.upgrade?.toLowerCase() === 'websocket') request.log.info({ req: request }, 'incoming request')
    done()
  })
  if (config.tls !== null) logCertificate(app.log, config.tls.credentials.summary, 'serving TLS with this certificate')
  await app.register(fp(beaconApi), { config, ...(options.transport === undefined ? {} : { transport: options.transport }) })
  return app
}

/**
 * REQUEST_TIMEOUT_MS for Node's server itself: given at construction (the property Fastify sets
 * afterwards is not what Node's checks use: a 1 s timeout cut a request only at 60 s), and looked
 * for this often (every 30 s by default): a tenth of the timeout, from 1 s to 30 s.
 */
function connectionChecks (config: ApiConfig): { requestTimeout: number, connectionsCheckingInterval: number } {
  const requestTimeout = config.limits.requestTimeoutMs
  return { requestTimeout, connectionsCheckingInterval: Math.min(Math.max(Math.round(requestTimeout / 10), 1000), 30_000) }
}

export function loggerOptions (config: ApiConfig): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    // Secrets never reach the log, even if a future log line includes a request body or headers.
    redact: {
      paths: [
        'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
        '*.privateKeyBase64', '*.*.privateKeyBase64',
        '*.secret', '*.password'
      ],
      censor: '[redacted]'
    },
    serializers: { req: serializeRequest, err: serializeError }
  }
}

// The in-app channel takes its token in the query (browsers cannot set WebSocket headers), and
// Fastify logs every request's URL: the token's value never reaches the log, however the
// parameter's name is spelled (the query parser decodes `%74oken` to `token`), and wherever the
// router starts the query (at the first `?` or `#`). A name holds no `?`: with one allowed, every
// `?` of a URL started a scan to its end, and a 16 KB URL of them (anyone's, before any
// authentication) took ~150 ms of the event loop to log. A `token` after a second `?` or a `#` is
// redacted too, which only hides more.
const QUERY_PARAMETER = /([?&#])([^=&#?]*)=([^&]*)/g
const decodedName = (name: string) => { try { return decodeURIComponent(name.replaceAll('+', ' ')) } catch { return name } }

export function redactTokens (url: string): string {
  return url.replace(QUERY_PARAMETER, (all, separator: string, name: string) =>
    decodedName(name).trim().toLowerCase() === 'token' ? `${separator}${name}=[redacted]` : all)
}

/** The longest URL an access line holds: Node takes request heads of 16 KB, which would otherwise be logged whole. */
export const LOGGED_URL_MAX = 2048

/** The URL as logged: tokens redacted (before the cut, so no part of one is left), then cut at LOGGED_URL_MAX. */
export function loggedUrl (url: string): string {
  const redacted = redactTokens(url)
  return redacted.length <= LOGGED_URL_MAX ? redacted : `${redacted.slice(0, LOGGED_URL_MAX)}…[${redacted.length - LOGGED_URL_MAX} more characters]`
}

function serializeRequest (request: FastifyRequest) {
  return {
    method: request.method,
    // As received, not as rewriteUrl routed it (powerauth-client-url.ts folds the rest of the path
    // into an appId value, where a `&token=` is no parameter the redaction would see).
    url: loggedUrl(request.originalUrl),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort
  }
}
