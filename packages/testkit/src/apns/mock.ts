import { randomBytes, randomUUID } from 'node:crypto'
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2'
import { ApnsProviderTokens, generateApnsSigningKey, type ApnsKeyRegistration, type ApnsTokenIdentity } from './auth.js'
import { checkApnsRequest, payloadLimit } from './rules.js'
import { serveHttp2 } from './server.js'
import { apnsOutcome, type ApnsOutcome } from './answers.js'
import { AnswerScripts, ReceivedLog, countStatus, newCounters, resetCounters, type MockCounters, type ScriptedAnswer } from '../provider-script.js'
import { selfSignedCertificate } from '../tls/certificate.js'

export interface ApnsMockOptions {
  keys?: ApnsKeyRegistration[]
  /** The mock's clock in ms (default Date.now); move it forward to age provider tokens. */
  now?: () => number
  /** Keep the per-request log (default true); benchmarks turn it off, counters stay. */
  record?: boolean
  /** SETTINGS_MAX_CONCURRENT_STREAMS announced to clients (APNs announces up to 1000). */
  maxConcurrentStreams?: number
  /**
   * Every answer waits this long first, scripted delays on top (default 0): a real provider's round
   * trip, for measuring how many requests a sender keeps in flight.
   */
  answerDelayMs?: number
}

/** One request as the mock saw it, with the answer it gave. */
export interface ApnsReceived {
  /** Arrival time (Date.now()), for checking retry delays. */
  at: number
  token: string
  /** Request headers except pseudo-headers and `authorization` (the provider token). */
  headers: Record<string, string>
  /** The decoded provider token, when it checked out. */
  auth: ApnsTokenIdentity | undefined
  payload: unknown
  status: number | 'dropped' | 'hung'
  reason: string | undefined
}

/** A key created for a test: what the provider client needs (`key`, `keyId`, `teamId`). */
export interface ApnsTestKey { keyId: string, teamId: string, privateKeyPem: string, publicKeyPem: string, bundles: string[] }

export interface ApnsMock {
  host: string
  port: number
  /** The certificate the mock serves; pass it as `ca`. */
  ca: string
  registerKey (key: ApnsKeyRegistration): void
  /** Generates a P-256 key, registers it and returns it with its private half. */
  createKey (options: { bundles: string[], teamId?: string, keyId?: string }): ApnsTestKey
  /** Ties a device token to a bundle: pushes to it under another topic get DeviceTokenNotForTopic. */
  registerDevice (token: string, bundle: string): void
  script (token: string, answers: ScriptedAnswer | ScriptedAnswer[]): void
  received (token: string): ApnsReceived[]
  readonly log: readonly ApnsReceived[]
  readonly counters: MockCounters
  /** HTTP/2 connections (sessions) accepted so far, and those still open. */
  readonly connections: number
  readonly openConnections: number
  /**
   * Every connection open now stops answering anything, pings included (a network black hole);
   * new connections are served as usual.
   */
  freezeConnections (): void
  /** Ends every connection open now, as a provider's front end going away does; new ones are served. */
  dropConnections (): void
  /** Forgets scripts, the log and counters; keys and devices stay registered. */
  reset (): void
  /** Ends every session and stops listening. */
  close (): Promise<void>
}

const randomId = (length: number) => randomBytes(length).toString('hex').toUpperCase().slice(0, length)

const recordedHeaders = (headers: IncomingHttpHeaders): Record<string, string> => {
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || name === 'authorization' || value === undefined) continue
    result[name] = Array.isArray(value) ? value.join(',') : value
  }
  return result
}

/**
 * The APNs provider API (HTTP/2 over TLS, token authentication) on 127.0.0.1, enforcing the
 * documented request rules and answering with Apple's status codes and reasons.
 */
export async function startApnsMock (options: ApnsMockOptions = {}): Promise<ApnsMock> {
  const { cert, key } = await selfSignedCertificate()
  const now = options.now ?? Date.now
  const record = options.record ?? true
  const answerDelayMs = options.answerDelayMs ?? 0
  const tokens = new ApnsProviderTokens()
  for (const registration of options.keys ?? []) tokens.register(registration)
  const devices = new Map<string, string>()
  const scripts = new AnswerScripts()
  const log = new ReceivedLog<ApnsReceived>()
  const counters = newCounters()
  const timers = new Set<NodeJS.Timeout>()

  const respond = (stream: ServerHttp2Stream, apnsId: string, status: number, reason?: string, extra: Record<string, string> = {}) => {
    countStatus(counters, status)
    if (stream.destroyed || stream.closed) return
    if (reason === undefined) {
      stream.respond({ ':status': status, 'apns-id': apnsId, ...extra }, { endStream: true })
      return
    }
    const body = status === 410 ? { reason, timestamp: now() } : { reason }
    stream.respond({ ':status': status, 'apns-id': apnsId, 'content-type': 'application/json', ...extra })
    stream.end(JSON.stringify(body))
  }

  const handle = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer, tooLarge: boolean) => {
    const requestedId = headers['apns-id']
    const apnsId = typeof requestedId === 'string' && requestedId !== '' ? requestedId : randomUUID().toUpperCase()
    if (headers[':method'] !== 'POST') return respond(stream, apnsId, 405, 'MethodNotAllowed')
    const match = /^\/3\/device\/([^/?]*)$/.exec(headers[':path'] ?? '')
    if (match === null) return respond(stream, apnsId, 404, 'BadPath')
    const token = match[1]!
    const auth = tokens.check(headers.authorization, now())
    const { payload, rejection } = checkApnsRequest({
      token,
      headers,
      body,
      tooLarge,
      auth,
      teamBundles: auth.ok ? tokens.bundlesOf(auth.identity.teamId) : new Set(),
      deviceBundle: devices.get(token.toLowerCase())
    })
    const outcome: ApnsOutcome = rejection === null ? apnsOutcome(scripts.take(token)) : { kind: 'respond', ...rejection }
    if (record) {
      const status = outcome.kind === 'drop' ? 'dropped' : outcome.kind === 'hang' ? 'hung' : outcome.status
      log.add({ at: Date.now(), token, headers: recordedHeaders(headers), auth: auth.ok ? auth.identity : undefined, payload, status, reason: outcome.kind === 'respond' ? outcome.reason : undefined })
    }
    if (outcome.kind === 'drop') {
      counters.requests++
      counters.dropped++
      stream.session?.destroy()
    } else if (outcome.kind === 'hang') {
      counters.requests++
      counters.hung++
    } else if (outcome.delayMs === undefined && answerDelayMs === 0) {
      respond(stream, apnsId, outcome.status, outcome.reason, outcome.headers)
    } else {
      const timer = setTimeout(() => {
        timers.delete(timer)
        respond(stream, apnsId, outcome.status, outcome.reason, outcome.headers)
      }, (outcome.delayMs ?? 0) + answerDelayMs)
      timers.add(timer)
    }
  }

  const endpoint = await serveHttp2({ cert, key, maxConcurrentStreams: options.maxConcurrentStreams ?? 1000, bodyLimit: payloadLimit, onRequest: handle })

  return {
    host: '127.0.0.1',
    port: endpoint.port,
    ca: cert,
    registerKey: (registration) => tokens.register(registration),
    createKey: ({ bundles, teamId = randomId(10), keyId = randomId(10) }) => {
      const pair = generateApnsSigningKey()
      tokens.register({ keyId, teamId, publicKeyPem: pair.publicKeyPem, bundles })
      return { keyId, teamId, bundles, ...pair }
    },
    registerDevice: (token, bundle) => { devices.set(token.toLowerCase(), bundle) },
    script: (token, answers) => scripts.set(token, answers),
    received: (token) => log.of(token),
    log: log.all,
    counters,
    get connections () { return endpoint.sessionsOpened },
    get openConnections () { return endpoint.sessionsOpen },
    freezeConnections: () => endpoint.freeze(),
    dropConnections: () => { endpoint.dropConnections() },
    reset: () => {
      scripts.clear()
      log.clear()
      resetCounters(counters)
    },
    close: () => {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      return endpoint.close()
    }
  }
}
