import { selfSignedCertificate } from '../tls/certificate.js'
import { googleError, notFound, type FcmHttpAnswer } from './errors.js'
import { serveFcmHttp1, serveFcmHttp2, type FcmAction, type FcmProtocol, type FcmRequest, type Later } from './front-ends.js'
import { decideSend, receivedEntry } from './send.js'
import { GoogleOAuthMock, type ServiceAccountRegistration } from './oauth.js'
import { buildServiceAccount, type ServiceAccountJson } from './service-account.js'
import { AnswerScripts, ReceivedLog, countStatus, newCounters, resetCounters, type MockCounters, type ScriptedAnswer } from '../provider-script.js'

export interface FcmMockOptions {
  serviceAccounts?: ServiceAccountRegistration[]
  /** The mock's clock in ms (default Date.now): assertion and access-token lifetimes use it. */
  now?: () => number
  /** Keep the per-request log (default true); benchmarks turn it off, counters stay. */
  record?: boolean
  /**
   * Every answer to a send waits this long first, scripted delays on top (default 0): a real
   * provider's round trip, for measuring how many requests a sender keeps in flight.
   */
  answerDelayMs?: number
}

/** One `messages:send` as the mock saw it, with the answer it gave. */
export interface FcmReceived {
  /** Arrival time (Date.now()), for checking retry delays. */
  at: number
  /** The message's target: its token, `/topics/<name>`, or its condition ('' when it had none). */
  token: string
  projectId: string
  /** The service account whose access token was used, when it was valid. */
  account: string | undefined
  /** Request headers except `authorization`. */
  headers: Record<string, string>
  message: unknown
  validateOnly: boolean
  status: number | 'dropped' | 'hung'
  /** The FcmError code (or Google status) of an error answer. */
  errorCode: string | undefined
  /** The protocol the request came over. */
  protocol: FcmProtocol
}

export interface FcmMock {
  host: string
  port: number
  /** Plain HTTP/1.1 base URL: the token endpoint, and sends of HTTP/1.1 clients (FcmMockAgent). */
  url: string
  /**
   * `https://localhost:<port>`: the send endpoint over TLS with ALPN h2, as Google serves it
   * (the dispatcher's FCM_ENDPOINT, firebase-admin's `sendEach`); its certificate is `ca`.
   */
  endpoint: string
  /** The self-signed certificate of `endpoint`, PEM: pass it as `ca` (FCM_CA_FILE). */
  ca: string
  /** `<url>/token`: the `token_uri` service accounts must carry. */
  tokenUri: string
  registerServiceAccount (account: ServiceAccountRegistration): void
  /** Builds and registers a service account of `projectId` (and `alsoProjects`). */
  createServiceAccount (options: { projectId: string, alsoProjects?: string[], clientEmail?: string }): ServiceAccountJson
  /** Scripts a target: a token, or `/topics/<name>`. */
  script (target: string, answers: ScriptedAnswer | ScriptedAnswer[]): void
  received (target: string): FcmReceived[]
  readonly log: readonly FcmReceived[]
  /** Counts of `messages:send` requests and answers. */
  readonly counters: MockCounters
  /** `messages:send` requests by the protocol they came over. */
  readonly requestsByProtocol: Record<FcmProtocol, number>
  /** Connections to `endpoint` (HTTP/2) opened so far, and those still open. */
  readonly http2Connections: { readonly opened: number, readonly open: number }
  /** Stops reading every HTTP/2 connection open now: requests and PINGs go unanswered (a black hole). */
  freezeHttp2Connections (): void
  /** Destroys every HTTP/2 connection open now, requests in flight included; later ones are served. */
  dropHttp2Connections (): void
  /** Access tokens issued so far. */
  readonly tokensIssued: number
  /** Requests to the token endpoint so far, granted or not. */
  readonly tokenRequests: number
  /** Forgets scripts, the log and counters; accounts and issued tokens stay valid. */
  reset (): void
  close (): Promise<void>
}

const sendPath = /^\/v1\/projects\/([^/]+)\/messages:send$/

const projectOf = (path: string): string | undefined => {
  const encoded = sendPath.exec(path)?.[1]
  if (encoded === undefined) return undefined
  try { return decodeURIComponent(encoded) } catch { return undefined }
}
const respond = (answer: FcmHttpAnswer): FcmAction => ({ kind: 'respond', answer })

/**
 * The FCM HTTP v1 send endpoint and Google's OAuth2 token endpoint on 127.0.0.1: over TLS with
 * ALPN h2 (`endpoint`, as Google serves it) and over plain HTTP/1.1 (`url`: the token endpoint, and
 * HTTP/1.1 clients in tests). Both answer alike.
 */
export async function startFcmMock (options: FcmMockOptions = {}): Promise<FcmMock> {
  const now = options.now ?? Date.now
  const record = options.record ?? true
  const answerDelayMs = options.answerDelayMs ?? 0
  const scripts = new AnswerScripts()
  const log = new ReceivedLog<FcmReceived>()
  const counters = newCounters()
  const requestsByProtocol: Record<FcmProtocol, number> = { 'HTTP/1.1': 0, 'HTTP/2': 0 }
  const timers = new Set<NodeJS.Timeout>()
  let tokensIssued = 0
  let tokenRequests = 0

  const later: Later = (delayMs, render) => {
    if (delayMs === undefined) return render()
    const timer = setTimeout(() => { timers.delete(timer); render() }, delayMs)
    timers.add(timer)
  }

  const send = (request: FcmRequest, projectId: string): FcmAction => {
    requestsByProtocol[request.protocol]++
    const sent = { projectId, headers: request.headers, text: request.text }
    const decision = decideSend(sent, { oauth, takeScript: (target) => scripts.take(target), now })
    if (record) log.add({ ...receivedEntry(sent, decision), protocol: request.protocol })
    const { outcome } = decision
    if (outcome.kind === 'drop') {
      counters.requests++
      counters.dropped++
    } else if (outcome.kind === 'hang') {
      counters.requests++
      counters.hung++
    } else {
      countStatus(counters, outcome.answer.status)
      if (answerDelayMs > 0) return { ...outcome, delayMs: (outcome.delayMs ?? 0) + answerDelayMs }
    }
    return outcome
  }

  const handle = (request: FcmRequest): FcmAction => {
    if (request.tooLarge) return respond(googleError(413, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit.'))
    if (request.method === 'POST' && request.path === '/token') {
      tokenRequests++
      const answer = oauth.grant(new URLSearchParams(request.text))
      if (answer.status === 200) tokensIssued++
      return respond(answer)
    }
    const projectId = request.method === 'POST' ? projectOf(request.path) : undefined
    if (projectId !== undefined) return send(request, projectId)
    return respond(notFound())
  }

  const tls = await selfSignedCertificate()
  const [http1, http2] = await Promise.all([serveFcmHttp1(handle, later), serveFcmHttp2(handle, later, tls)])
  const url = `http://127.0.0.1:${http1.port}`
  const oauth = new GoogleOAuthMock(`${url}/token`, now)
  for (const account of options.serviceAccounts ?? []) oauth.register(account)
  let closing: Promise<void> | undefined

  return {
    host: '127.0.0.1',
    port: http1.port,
    url,
    endpoint: `https://localhost:${http2.port}`,
    ca: tls.cert,
    tokenUri: oauth.tokenUri,
    registerServiceAccount: (account) => oauth.register(account),
    createServiceAccount: ({ projectId, alsoProjects = [], clientEmail }) => {
      const { serviceAccount, publicKeyPem } = buildServiceAccount({ projectId, tokenUri: oauth.tokenUri, ...(clientEmail === undefined ? {} : { clientEmail }) })
      oauth.register({ clientEmail: serviceAccount.client_email, publicKeyPem, projectIds: [projectId, ...alsoProjects] })
      return serviceAccount
    },
    script: (target, answers) => scripts.set(target, answers),
    received: (target) => log.of(target),
    log: log.all,
    counters,
    requestsByProtocol,
    http2Connections: {
      get opened () { return http2.sessionsOpened },
      get open () { return http2.sessionsOpen }
    },
    freezeHttp2Connections: () => { http2.freeze() },
    dropHttp2Connections: () => { http2.dropConnections() },
    get tokensIssued () { return tokensIssued },
    get tokenRequests () { return tokenRequests },
    reset: () => {
      scripts.clear()
      log.clear()
      resetCounters(counters)
      for (const protocol of Object.keys(requestsByProtocol) as FcmProtocol[]) requestsByProtocol[protocol] = 0
    },
    close: () => {
      closing ??= (async () => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        await Promise.all([http1.close(), http2.close()])
      })()
      return closing
    }
  }
}
