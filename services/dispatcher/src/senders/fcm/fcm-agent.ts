import { AsyncLocalStorage } from 'node:async_hooks'
import type { ClientRequest, IncomingMessage } from 'node:http'
import { Agent, type AgentOptions } from 'node:https'
import { connect as plainConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls'

/** What one send learned beside firebase-admin's error: the provider's Retry-After. */
export interface SendObservation { retryAfterSeconds?: number }

/**
 * firebase-admin reports FCM errors without their response headers. Each send runs inside this
 * context; the agent below notes the Retry-After of the response to that send's request.
 */
export const sendObservation = new AsyncLocalStorage<SendObservation>()

export interface FcmAgentOptions {
  /** FCM_ENDPOINT: connect here instead of fcm.googleapis.com (https, or http for a plain mock). */
  endpoint: URL | null
  ca: Buffer | null
  maxSockets: number
}

/**
 * The https agent firebase-admin sends through (app option `httpAgent`): keep-alive sockets, a
 * different host when FCM_ENDPOINT is set (there is no messaging emulator setting), and the
 * Retry-After observation above.
 */
export class FcmAgent extends Agent {
  constructor (private readonly settings: FcmAgentOptions) {
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

// addRequest is how every request reaches an agent; it runs synchronously inside https.request,
// so in the async context of the send that caused it.
const addRequest = (Agent.prototype as unknown as { addRequest: (req: ClientRequest, options: unknown) => void }).addRequest
Object.defineProperty(FcmAgent.prototype, 'addRequest', {
  value: function (this: FcmAgent, req: ClientRequest, options: unknown) {
    const observation = sendObservation.getStore()
    if (observation !== undefined) {
      req.once('response', (res: IncomingMessage) => {
        const seconds = Number(res.headers['retry-after'])
        if (res.headers['retry-after'] !== undefined && Number.isFinite(seconds)) observation.retryAfterSeconds = seconds
      })
    }
    addRequest.call(this, req, options)
  }
})
