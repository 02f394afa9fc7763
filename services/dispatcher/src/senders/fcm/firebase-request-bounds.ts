import type { Messaging } from 'firebase-admin/messaging'

interface RetryConfigLike { maxRetries: number }
export interface RequestClientLike {
  retry: RetryConfigLike | null | undefined
  send (config: { timeout?: number, data?: unknown, [key: string]: unknown }): Promise<unknown>
}

/** Thrown when firebase-admin's internals are not where this file expects them (an upgrade moved them). */
export class FirebaseInternalsChanged extends Error {
  override name = 'FirebaseInternalsChanged'
}

const isRequestClient = (value: unknown): value is RequestClientLike => {
  if (typeof value !== 'object' || value === null) return false
  const { retry, send } = value as Partial<RequestClientLike>
  return typeof send === 'function' && typeof retry === 'object' && retry !== null && typeof retry.maxRetries === 'number'
}

/**
 * firebase-admin 13 gives the messaging client no say over its send requests: each one gets a
 * fixed 15 s socket timeout (FIREBASE_MESSAGING_TIMEOUT) and the default RetryConfig (4 more
 * requests on 503, ECONNRESET and ETIMEDOUT, waiting up to 60 s for a Retry-After) — inside every
 * one of our own attempts, so up to 25 requests per device, none of them bounded by FCM_TIMEOUT_MS.
 * Neither AppOptions nor getMessaging() takes a timeout or a RetryConfig, and the agent
 * (`httpAgent`, the one supported hook) cannot turn a 503 into "do not retry".
 *
 * So this reaches into the Messaging's private request handler (`messagingRequestHandler`, whose
 * `httpClient` and `http2Client` are firebase-admin's AuthorizedHttpClient/AuthorizedHttp2Client):
 * their RetryConfig becomes "no retries" and every request they send carries `timeoutMs` instead
 * of the fixed 15 s. This is the only file that does so. If an upgrade moves these fields this
 * throws FirebaseInternalsChanged (every FCM send then fails loudly instead of silently retrying),
 * and test/senders/fcm/firebase-request-bounds.test.ts fails.
 */
export function boundFirebaseRequests (messaging: Messaging, timeoutMs: number): void {
  const clients = firebaseRequestClients(messaging)
  for (const client of [clients.httpClient, clients.http2Client]) {
    // maxRetries 0 is firebase-admin's own "never retry": RequestClient.isRetryEligible stops there.
    client.retry = { maxRetries: 0, statusCodes: [], ioErrorCodes: [], backOffFactor: 0, maxDelayInMillis: 0 } as RetryConfigLike
    const send = client.send.bind(client)
    client.send = (config) => send({ ...config, timeout: timeoutMs })
  }
}

/**
 * The private request clients of a Messaging (firebase-admin's AuthorizedHttpClient and
 * AuthorizedHttp2Client), which this file and firebase-http2-transport.ts reach; throws
 * FirebaseInternalsChanged when an upgrade moved them.
 */
export function firebaseRequestClients (messaging: Messaging): { httpClient: RequestClientLike, http2Client: RequestClientLike } {
  const handler = (messaging as unknown as { messagingRequestHandler?: Record<string, unknown> }).messagingRequestHandler
  const { httpClient, http2Client } = handler ?? {}
  for (const [name, client] of [['httpClient', httpClient], ['http2Client', http2Client]] as const) {
    if (!isRequestClient(client)) {
      throw new FirebaseInternalsChanged(`firebase-admin's Messaging has no messagingRequestHandler.${name} with a RetryConfig: see firebase-request-bounds.ts`)
    }
  }
  return { httpClient: httpClient as RequestClientLike, http2Client: http2Client as RequestClientLike }
}
