import { createServer, type IncomingHttpHeaders, type RequestListener } from 'node:http'
import { constants as h2 } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { serveHttp2, type Http2Endpoint } from '../apns/server.js'
import type { FcmHttpAnswer } from './errors.js'

/** The protocol a request to the mock came over: plain HTTP/1.1, or HTTP/2 over TLS. */
export type FcmProtocol = 'HTTP/1.1' | 'HTTP/2'

/** One request as both front ends hand it to the mock: method, path, headers (no pseudo-headers), body. */
export interface FcmRequest {
  protocol: FcmProtocol
  method: string
  path: string
  headers: IncomingHttpHeaders
  text: string
  tooLarge: boolean
}

/** What the mock does with a request: answer it (maybe later), drop it, or never answer. */
export type FcmAction = { kind: 'respond', answer: FcmHttpAnswer, delayMs?: number } | { kind: 'drop' } | { kind: 'hang' }

export interface FrontEnd { port: number, close (): Promise<void> }

const maxBodyBytes = 1 << 20
const jsonType = 'application/json; charset=UTF-8'

/** Runs `render` now or after `delayMs` (a timer the mock's close() clears). */
export type Later = (delayMs: number | undefined, render: () => void) => void

/**
 * Plain HTTP/1.1 on 127.0.0.1: the token endpoint (service accounts' `token_uri`) and the send
 * endpoint for HTTP/1.1 clients (firebase-admin's legacy transport). `drop` destroys the socket.
 */
export async function serveFcmHttp1 (handle: (request: FcmRequest) => FcmAction, later: Later): Promise<FrontEnd> {
  const protocol: FcmProtocol = 'HTTP/1.1'
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBodyBytes) chunks.push(chunk)
    })
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!
      const action = handle({ protocol, method: req.method ?? '', path, headers: req.headers, text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > maxBodyBytes })
      if (action.kind === 'drop') { req.socket.destroy(); return }
      if (action.kind === 'hang') return
      const { answer } = action
      later(action.delayMs, () => {
        if (!res.destroyed) res.writeHead(answer.status, { 'content-type': jsonType, ...answer.headers }).end(JSON.stringify(answer.body))
      })
    })
  }
  const server = createServer({ keepAliveTimeout: 60_000 }, listener)
  server.on('clientError', (_error, socket) => socket.destroy())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}

/**
 * HTTPS with ALPN h2 on 127.0.0.1, as fcm.googleapis.com serves firebase-admin's `sendEach`.
 * `drop` resets that request's stream (RST_STREAM INTERNAL_ERROR): the other requests multiplexed
 * on the connection go on, as the HTTP/1.1 front end's other connections do.
 */
export async function serveFcmHttp2 (handle: (request: FcmRequest) => FcmAction, later: Later, tls: { cert: string, key: string }): Promise<Http2Endpoint> {
  const endpoint = await serveHttp2({
    ...tls,
    maxConcurrentStreams: 1000,
    bodyLimit: () => maxBodyBytes,
    onRequest: (stream, headers, body, tooLarge) => {
      const plain: IncomingHttpHeaders = {}
      for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':')) plain[name] = value
      const path = String(headers[':path'] ?? '').split('?')[0]!
      const action = handle({ protocol: 'HTTP/2', method: String(headers[':method'] ?? ''), path, headers: plain, text: body.toString('utf8'), tooLarge })
      if (action.kind === 'drop') { stream.close(h2.NGHTTP2_INTERNAL_ERROR); return }
      if (action.kind === 'hang') return
      const { answer } = action
      later(action.delayMs, () => {
        if (stream.closed || stream.destroyed) return
        stream.respond({ ':status': answer.status, 'content-type': jsonType, ...answer.headers })
        stream.end(JSON.stringify(answer.body))
      })
    }
  })
  return endpoint
}
