import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { checkDeveloperCallback } from './verification.js'

/** One request the receiver got, as a developer's server would see it. */
export interface ReceivedCallback {
  /** The MAAIISDK10 signature checked out with the developer's secret and the nonce was new. */
  verified: boolean
  /** Why it did not verify: a code of checkDeveloperCallback (e.g. `SIGNATURE_MISMATCH`), or `REPLAYED_NONCE`. */
  reason?: string
  method: string
  /** The request target as received (path and query). */
  url: string
  /** The raw body, as text. */
  body: string
  headers: IncomingHttpHeaders
  at: Date
  /** What the receiver answered (0: it reset the connection or never answered). */
  status: number
}

/** A scripted misbehaviour: an HTTP status, a reset connection, or no answer at all (until close). */
export type CallbackFailure = number | 'reset' | 'hang'

export interface CallbackReceiverOptions {
  /** Secrets by developer key. */
  developers: Map<string, string | Buffer> | ((key: string) => string | Buffer | undefined)
  /** Listen on this port (e.g. to come back up where a previous receiver was); default a free one. */
  port?: number
  /** The X-M-Date window, seconds; default 300. */
  windowSeconds?: number
  /** The receiver's clock for that window; default the real one. */
  now?: () => Date
}

export interface CallbackReceiver {
  port: number
  /** The absolute URL of `path` (starting with `/`, may carry a query) on this receiver. */
  url (path?: string): string
  received (): ReceivedCallback[]
  /** TCP connections accepted so far: 0 proves nothing even knocked (a refused destination). */
  connections (): number
  /** Resolves with everything received once `predicate` holds for it; rejects after `timeoutMs`. */
  until (predicate: (received: ReceivedCallback[]) => boolean, timeoutMs?: number): Promise<ReceivedCallback[]>
  /** The next `count` requests are answered with `failure` instead of 200 (whether they verify or not). */
  failNext (count: number, failure?: CallbackFailure): void
  close (): Promise<void>
}

/**
 * A developer's callback server for tests: verifies every request as a developer following the
 * README would, with its own HMAC over the six lines (never @beacon/signing, the code under test),
 * on the raw URL and raw body, plus its own store of used nonces; records it, and answers 200, 401
 * when it does not verify, or a scripted failure.
 */
export async function startCallbackReceiver (options: CallbackReceiverOptions): Promise<CallbackReceiver> {
  const lookup = typeof options.developers === 'function'
    ? options.developers
    : (key: string) => (options.developers as Map<string, string | Buffer>).get(key)
  const received: ReceivedCallback[] = []
  const seenNonces = new Set<string>()
  const failures: CallbackFailure[] = []
  const hanging = new Set<ServerResponse>()

  const verify = async (method: string, url: string, headers: IncomingHttpHeaders, rawBody: Buffer) => {
    const checked = checkDeveloperCallback({ method, uri: url, headers, rawBody }, lookup,
      { now: options.now?.() ?? new Date(), windowSeconds: options.windowSeconds ?? 300 })
    if (!checked.verified) return { verified: false, reason: checked.reason }
    if (seenNonces.has(`${checked.key}\n${checked.nonce}`)) return { verified: false, reason: 'REPLAYED_NONCE' }
    seenNonces.add(`${checked.key}\n${checked.nonce}`)
    return { verified: true }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks)
      const method = req.method ?? ''
      const url = req.url ?? ''
      verify(method, url, req.headers, rawBody).then((outcome) => {
        const failure = failures.shift()
        const status = typeof failure === 'number' ? failure : failure === undefined ? (outcome.verified ? 200 : 401) : 0
        received.push({ ...outcome, method, url, body: rawBody.toString('utf8'), headers: req.headers, at: new Date(), status })
        if (failure === 'reset') res.destroy()
        else if (failure === 'hang') hanging.add(res)
        else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: status === 200 }))
      }, () => res.destroy())
    })
  })
  let connections = 0
  server.on('connection', () => { connections++ })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const port = (server.address() as AddressInfo).port

  return {
    port,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    received: () => [...received],
    connections: () => connections,
    async until (predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      while (!predicate([...received])) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for callbacks; received ${received.length}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return [...received]
    },
    failNext (count, failure = 500) {
      for (let i = 0; i < count; i++) failures.push(failure)
    },
    async close () {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
