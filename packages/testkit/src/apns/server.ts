import { createSecureServer, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo, Socket } from 'node:net'

export interface Http2RequestHandler {
  (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer, tooLarge: boolean): void
}

export interface Http2Endpoint {
  port: number
  /** HTTP/2 sessions opened so far, and those still open. */
  readonly sessionsOpened: number
  readonly sessionsOpen: number
  /**
   * Stops reading every connection open now: their requests and pings go unanswered, as behind a
   * network black hole. Later connections are served as usual.
   */
  freeze (): void
  /** Destroys every connection open now, requests in flight included (a server restart, a load balancer's reset); keeps listening. */
  dropConnections (): void
  /** Destroys every session (in-flight streams included) and stops listening. Idempotent. */
  close (): Promise<void>
}

/**
 * An HTTP/2 TLS server on 127.0.0.1 that collects each request body (up to `bodyLimit` bytes,
 * the rest is counted, not kept) and hands it over whole. It keeps its sessions so `close()`
 * can end them: a client holding a session open would otherwise keep the server alive.
 */
export async function serveHttp2 (options: {
  cert: string
  key: string
  maxConcurrentStreams: number
  bodyLimit: (headers: IncomingHttpHeaders) => number
  onRequest: Http2RequestHandler
}): Promise<Http2Endpoint> {
  const sessions = new Set<ServerHttp2Session>()
  const sockets = new Set<Socket>()
  let sessionsOpened = 0
  const server = createSecureServer({ cert: options.cert, key: options.key, settings: { maxConcurrentStreams: options.maxConcurrentStreams } })
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('session', (session) => {
    sessionsOpened++
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
    session.on('error', () => {})
  })
  server.on('stream', (stream, headers) => {
    const limit = options.bodyLimit(headers)
    const chunks: Buffer[] = []
    let size = 0
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= limit) chunks.push(chunk)
    })
    stream.on('end', () => options.onRequest(stream, headers, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), size > limit))
    // A client may reset a stream or vanish; the mock has nothing to do about it.
    stream.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  let closing: Promise<void> | undefined
  return {
    port: (server.address() as AddressInfo).port,
    get sessionsOpened () { return sessionsOpened },
    get sessionsOpen () { return sessions.size },
    freeze: () => {
      // nghttp2 acknowledges pings by itself, and the TLS layer reads the TCP handle natively
      // (pausing the socket changes nothing): only stopping the handle's reads silences it.
      for (const socket of sockets) (socket as unknown as { _handle?: { readStop (): number } | null })._handle?.readStop()
    },
    dropConnections: () => {
      for (const session of sessions) session.destroy()
      for (const socket of sockets) socket.destroy()
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy()
        // A connection not yet a session (its TLS handshake under way) is not in `sessions`, and
        // server.close waits for every connection: a dispatcher reconnecting as a test ended kept
        // one open, and the close waited past the test's timeout.
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
      return closing
    }
  }
}
