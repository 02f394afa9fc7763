import type { ClientRequest, IncomingMessage } from 'node:http'
import { Agent, type AgentOptions } from 'node:https'
import { connect as plainConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls'

/**
 * firebase-admin reports FCM errors without their response headers. The agent below notes each
 * Retry-After by the registration token of the request it answered; the sender takes it when
 * that send fails. (An AsyncLocalStorage context per send did the same, but on Node 20 it puts a
 * hook on every promise of the process, a cost every notification paid.)
 */
export class RetryAfterByToken {
  private readonly seconds = new Map<string, number>()
  note (token: string, seconds: number): void { this.seconds.set(token, seconds) }
  /** The Retry-After answered to the last request for `token`, forgotten once taken. */
  take (token: string): number | undefined {
    const seconds = this.seconds.get(token)
    this.seconds.delete(token)
    return seconds
  }
}

export interface FcmAgentOptions {
  /** FCM_ENDPOINT: connect here instead of fcm.googleapis.com (https, or http for a plain mock). */
  endpoint: URL | null
  ca: Buffer | null
  maxSockets: number
  retryAfter: RetryAfterByToken
}

/**
 * The https agent firebase-admin sends through (app option `httpAgent`): keep-alive sockets, a
 * different host when FCM_ENDPOINT is set (there is no messaging emulator setting), and the
 * Retry-After notes above.
 */
export class FcmAgent extends Agent {
  constructor (readonly settings: FcmAgentOptions) {
    super({ keepAlive: true, maxSockets: settings.maxSockets, ...(settings.ca === null ? {} : { ca: settings.ca }) } satisfies AgentOptions)
  }

  override createConnection (options: ConnectionOptions, callback?: (error: Error | null, stream: Duplex) => void): Duplex {
    const endpoint = this.settings.endpoint
    if (endpoint === null) return super.createConnection(options, callback) as Duplex
    const port = Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443))
    if (endpoint.protocol === 'http:') return plainConnect({ host: endpoint.hostname, port })
    return tlsConnect({
      ...options,
      host: endpoint.hostname,
      port,
      servername: endpoint.hostname,
      ...(this.settings.ca === null ? {} : { ca: this.settings.ca })
    })
  }
}

/** The registration token of an FCM v1 send body (`{"message":{"token":…}}`), if it has one. */
function tokenOf (body: unknown): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : String(body)) as { message?: { token?: unknown } }
    return typeof parsed.message?.token === 'string' ? parsed.message.token : undefined
  } catch {
    return undefined
  }
}

// addRequest is how every request reaches an agent, inside https.request and so before
// firebase-admin ends the request with its body.
const addRequest = (Agent.prototype as unknown as { addRequest: (req: ClientRequest, options: unknown) => void }).addRequest
Object.defineProperty(FcmAgent.prototype, 'addRequest', {
  value: function (this: FcmAgent, req: ClientRequest, options: unknown) {
    let body: unknown
    const end = req.end
    req.end = function (this: ClientRequest, ...args: unknown[]) {
      if (typeof args[0] !== 'function') body = args[0]
      return (end as (...a: unknown[]) => ClientRequest).apply(this, args)
    } as typeof req.end
    req.once('response', (res: IncomingMessage) => {
      const header = res.headers['retry-after']
      if (header === undefined) return
      const seconds = Number(header)
      // Only throttled answers carry it: parsing the body is rare.
      const token = Number.isFinite(seconds) ? tokenOf(body) : undefined
      if (token !== undefined) this.settings.retryAfter.note(token, seconds)
    })
    addRequest.call(this, req, options)
  }
})
