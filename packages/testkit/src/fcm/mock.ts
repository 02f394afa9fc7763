import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { googleError, notFound, type FcmHttpAnswer } from './errors.js'
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
}

export interface FcmMock {
  host: string
  port: number
  /** Plain HTTP base URL; real clients reach it through `fcmMockAgent`. */
  url: string
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
const maxBodyBytes = 1 << 20

/**
 * The FCM HTTP v1 send endpoint and Google's OAuth2 token endpoint, in one plain HTTP/1.1
 * server on 127.0.0.1 (firebase-admin reaches it through an agent that swaps the connection).
 */
export async function startFcmMock (options: FcmMockOptions = {}): Promise<FcmMock> {
  const now = options.now ?? Date.now
  const record = options.record ?? true
  const scripts = new AnswerScripts()
  const log = new ReceivedLog<FcmReceived>()
  const counters = newCounters()
  const timers = new Set<NodeJS.Timeout>()
  let tokensIssued = 0
  let tokenRequests = 0

  const reply = (res: ServerResponse, answer: FcmHttpAnswer) => {
    if (res.destroyed) return
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=UTF-8', ...answer.headers }).end(JSON.stringify(answer.body))
  }

  const send = (req: IncomingMessage, res: ServerResponse, projectId: string, text: string) => {
    const request = { projectId, headers: req.headers, text }
    const decision = decideSend(request, { oauth, takeScript: (target) => scripts.take(target), now })
    if (record) log.add(receivedEntry(request, decision))
    const { outcome } = decision
    if (outcome.kind === 'drop') {
      counters.requests++
      counters.dropped++
      req.socket.destroy()
      return
    }
    if (outcome.kind === 'hang') {
      counters.requests++
      counters.hung++
      return
    }
    const { answer, delayMs } = outcome
    countStatus(counters, answer.status)
    if (delayMs === undefined) return reply(res, answer)
    const timer = setTimeout(() => { timers.delete(timer); reply(res, answer) }, delayMs)
    timers.add(timer)
  }

  const route = (req: IncomingMessage, res: ServerResponse, text: string, tooLarge: boolean) => {
    if (tooLarge) return reply(res, googleError(413, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit.'))
    const url = (req.url ?? '').split('?')[0]!
    if (req.method === 'POST' && url === '/token') {
      tokenRequests++
      const answer = oauth.grant(new URLSearchParams(text))
      if (answer.status === 200) tokensIssued++
      return reply(res, answer)
    }
    const projectId = req.method === 'POST' ? projectOf(url) : undefined
    if (projectId !== undefined) return send(req, res, projectId, text)
    reply(res, notFound())
  }

  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBodyBytes) chunks.push(chunk)
    })
    req.on('end', () => route(req, res, Buffer.concat(chunks).toString('utf8'), size > maxBodyBytes))
  })
  server.on('clientError', (_error, socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`
  const oauth = new GoogleOAuthMock(`${url}/token`, now)
  for (const account of options.serviceAccounts ?? []) oauth.register(account)
  let closing: Promise<void> | undefined

  return {
    host: '127.0.0.1',
    port,
    url,
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
    get tokensIssued () { return tokensIssued },
    get tokenRequests () { return tokenRequests },
    reset: () => {
      scripts.clear()
      log.clear()
      resetCounters(counters)
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.closeAllConnections()
        server.close(() => resolve())
      })
      return closing
    }
  }
}
