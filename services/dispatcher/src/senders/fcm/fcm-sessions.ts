import { connect, type ClientHttp2Session, type ClientHttp2Stream, type ClientSessionRequestOptions, type OutgoingHttpHeaders, type SecureClientSessionOptions } from 'node:http2'

/** Google's FCM front end takes at most 100 concurrent streams per connection (firebase-admin's own bound). */
export const FCM_STREAMS_PER_SESSION = 100

export interface FcmSessionsOptions {
  /** Where FCM is: https://fcm.googleapis.com, or FCM_ENDPOINT (http:// for HTTP/2 without TLS). */
  origin: URL
  ca: Buffer | null
  /** How long a connection may take to answer a PING once one of its requests went unanswered. */
  pingTimeoutMs: number
  streamsPerSession?: number
}

/** What firebase-admin's HTTP/2 client uses of a session: request(). */
export interface FcmStreamOpener {
  request (headers: OutgoingHttpHeaders, options?: ClientSessionRequestOptions): ClientHttp2Stream
}

/** A stream slot on a shared session, given back with release() once its request settled. */
export interface FcmSessionLease {
  readonly session: FcmStreamOpener
  /** The request got no answer in time: the connection is pinged, and replaced if it stays silent. */
  unanswered (): void
  release (): void
}

interface Entry { session: ClientHttp2Session, opener: FcmStreamOpener, active: number, usable: boolean, pinging: boolean }

/**
 * firebase-admin 13 writes `:scheme` with URL's colon (`https:`): Google takes it, RFC 9113's
 * servers (nghttp2, Node's) reset the stream with PROTOCOL_ERROR. Sent as the scheme it names.
 */
function openerOf (session: ClientHttp2Session): FcmStreamOpener {
  return {
    request (headers, options) {
      const scheme = headers[':scheme']
      const fixed = typeof scheme === 'string' && scheme.endsWith(':') ? { ...headers, ':scheme': scheme.slice(0, -1) } : headers
      return session.request(fixed, options)
    }
  }
}

/**
 * Long-lived HTTP/2 connections to FCM that every send shares, each carrying at most 100 streams
 * at once; a new connection opens only when all open ones are full. firebase-admin's own
 * `sendEach` opens a connection (and a TLS handshake) per call and answers a call only when its
 * last stream ends; here each request is its own stream and answers on its own.
 *
 * A connection that fails, closes or receives GOAWAY takes no new streams: its requests in flight
 * fail on their own (and are retried by the caller), later ones go to another connection. A
 * request timing out only resets its own stream, so a connection that went silent (a dead peer
 * behind a live TCP socket) would take every later request to its timeout: after a timeout the
 * connection is pinged, and destroyed if the PING goes unanswered for `pingTimeoutMs`.
 */
export class FcmSessions {
  private readonly entries: Entry[] = []
  private readonly limit: number
  private closed = false

  constructor (private readonly options: FcmSessionsOptions) {
    this.limit = options.streamsPerSession ?? FCM_STREAMS_PER_SESSION
  }

  lease (): FcmSessionLease {
    if (this.closed) throw new Error('FCM sessions are closed')
    const entry = this.entries.find((candidate) => candidate.usable && candidate.active < this.limit) ?? this.open()
    if (entry.active++ === 0) entry.session.ref()
    let released = false
    return {
      session: entry.opener,
      unanswered: () => { this.ping(entry) },
      release: () => {
        if (released) return
        released = true
        if (--entry.active > 0) return
        if (entry.usable) entry.session.unref()
        else entry.session.close()
      }
    }
  }

  /** Connections open now (for tests and metrics). */
  get size (): number { return this.entries.length }

  async close (): Promise<void> {
    this.closed = true
    const sessions = this.entries.splice(0).map((entry) => entry.session)
    await Promise.all(sessions.map(async (session) => {
      if (session.closed || session.destroyed) return
      await new Promise<void>((resolve) => {
        session.close(resolve)
        // Streams still open at shutdown have been given up by their callers.
        setTimeout(() => { session.destroy(); resolve() }, 1_000).unref()
      })
    }))
  }

  private open (): Entry {
    const options: SecureClientSessionOptions = {
      peerMaxConcurrentStreams: this.limit,
      ...(this.options.origin.protocol === 'https:' ? { ALPNProtocols: ['h2'] } : {}),
      ...(this.options.ca === null ? {} : { ca: this.options.ca })
    }
    const session = connect(this.options.origin, options)
    const entry: Entry = { session, opener: openerOf(session), active: 0, usable: true, pinging: false }
    const retire = () => {
      if (!entry.usable) return
      entry.usable = false
      const index = this.entries.indexOf(entry)
      if (index !== -1) this.entries.splice(index, 1)
      if (entry.active === 0 && !session.closed) session.close()
    }
    // Errors reach the streams in flight; without a listener a session error would end the process.
    session.on('error', retire)
    session.on('goaway', retire)
    session.on('close', retire)
    this.entries.push(entry)
    return entry
  }

  private ping (entry: Entry): void {
    const { session } = entry
    if (entry.pinging || session.closed || session.destroyed) return
    entry.pinging = true
    const silent = setTimeout(() => { session.destroy() }, this.options.pingTimeoutMs)
    silent.unref()
    try {
      session.ping((error) => {
        clearTimeout(silent)
        entry.pinging = false
        if (error !== null) session.destroy()
      })
    } catch {
      // Too many unacknowledged pings, or the session is closing: let the timer decide.
    }
  }
}
