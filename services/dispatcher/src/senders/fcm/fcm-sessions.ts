import { connect, type ClientHttp2Session, type ClientHttp2Stream, type ClientSessionRequestOptions, type OutgoingHttpHeaders, type SecureClientSessionOptions } from 'node:http2'
import { countConnection } from '../../metrics/provider-connections.js'

/** Google's FCM front end takes at most 100 concurrent streams per connection (firebase-admin's own bound). */
export const FCM_STREAMS_PER_SESSION = 100

export interface FcmSessionsOptions {
  /** Where FCM is: https://fcm.googleapis.com, or FCM_ENDPOINT (https only). */
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

/** Failures of the connections themselves, in firebase-admin's words: every one is worth a retry. */
export class FcmConnectionError extends Error {
  override name = 'FcmConnectionError'
  readonly code = 'app/network-error'
}

interface Entry {
  session: ClientHttp2Session
  opener: FcmStreamOpener
  active: number
  /** Streams it may carry at once: ours, or fewer if the server's SETTINGS say so. */
  limit: number
  usable: boolean
  /** Pinged after a timeout and not yet answered: takes no new streams meanwhile. */
  suspect: boolean
  /** Takes it out of the pool for good (closed once its streams are done). */
  retire (): void
}

/**
 * What firebase-admin's HTTP/2 client needs of a session, and two things it lacks.
 *
 * firebase-admin 13 writes `:scheme` with URL's colon (`https:`): Google takes it, RFC 9113's
 * servers (nghttp2, Node's) reset the stream with PROTOCOL_ERROR. Sent as the scheme it names.
 *
 * Its request settles only on the stream's 'error', or its 'response' and 'end'; Node closes a
 * stream without an 'error' when the peer resets it with NO_ERROR or CANCEL, when the connection
 * ends cleanly, or when the session is destroyed without an error, and clears the stream's timeout
 * then (sendEach covers this with a promise on the whole session, which a shared one cannot
 * have). Such a close becomes an 'error' here, or the device would stay in flight for good.
 */
function openerOf (session: ClientHttp2Session): FcmStreamOpener {
  return {
    request (headers, options) {
      const scheme = headers[':scheme']
      const fixed = typeof scheme === 'string' && scheme.endsWith(':') ? { ...headers, ':scheme': scheme.slice(0, -1) } : headers
      const stream = session.request(fixed, options)
      let answered = false
      let settled = false
      stream.once('response', () => { answered = true })
      stream.once('end', () => { if (answered) settled = true })
      stream.once('error', () => { settled = true })
      stream.once('close', () => {
        if (!settled) stream.emit('error', new FcmConnectionError(`FCM closed the request's stream without an answer (HTTP/2 code ${stream.rstCode ?? 'none'})`))
      })
      return stream
    }
  }
}

/** Whether a connection takes another stream now. One that is closing may not have said so yet. */
const isOpenFor = (entry: Entry): boolean =>
  entry.usable && !entry.suspect && entry.active < entry.limit && !entry.session.closed && !entry.session.destroyed

/**
 * Long-lived HTTP/2 connections to FCM that every send shares, each carrying at most 100 streams
 * at once (fewer if the server says so); a new connection opens only when all open ones are full.
 * firebase-admin's own `sendEach` opens a connection (and a TLS handshake) per call and answers a
 * call only when its last stream ends; here each request is its own stream and answers on its own.
 *
 * A connection that fails, closes or receives GOAWAY takes no new streams: its requests in flight
 * fail on their own (and are retried by the caller), later ones go to another connection. A
 * request timing out only resets its own stream, so a connection that went silent (a dead peer
 * behind a live TCP socket) would take every later request to its timeout: after a timeout the
 * connection takes no new streams and is pinged; answered, it is used again, silent for
 * `pingTimeoutMs`, it is destroyed and its requests fail.
 */
export class FcmSessions {
  private readonly entries: Entry[] = []
  private readonly limit: number
  /** The server's stream limit as its last SETTINGS said: a new connection's until its own arrive. */
  private serverLimit: number
  private closed = false

  constructor (private readonly options: FcmSessionsOptions) {
    this.limit = options.streamsPerSession ?? FCM_STREAMS_PER_SESSION
    this.serverLimit = this.limit
  }

  lease (): FcmSessionLease {
    if (this.closed) throw new FcmConnectionError('the FCM sender is closed')
    const entry = this.entries.find(isOpenFor) ?? this.open()
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
        setTimeout(() => { session.destroy(new FcmConnectionError('the FCM sender closed')); resolve() }, 1_000).unref()
      })
    }))
  }

  private open (): Entry {
    const options: SecureClientSessionOptions = {
      peerMaxConcurrentStreams: this.limit,
      ALPNProtocols: ['h2'],
      ...(this.options.ca === null ? {} : { ca: this.options.ca })
    }
    const session = connect(this.options.origin, options)
    countConnection('fcm', session)
    const retire = () => {
      if (!entry.usable) return
      entry.usable = false
      const index = this.entries.indexOf(entry)
      if (index !== -1) this.entries.splice(index, 1)
      if (entry.active === 0 && !session.closed) session.close()
    }
    const entry: Entry = { session, opener: openerOf(session), active: 0, limit: this.serverLimit, usable: true, suspect: false, retire }
    // A server allowing fewer streams than ours: more would wait in Node's queue, their wait
    // counted against FCM_TIMEOUT_MS without having been sent, or (sent before its SETTINGS
    // arrived) be refused.
    // A connection whose server allows no streams at all is retired, and tells the next nothing.
    let first = true
    session.on('remoteSettings', (settings) => {
      entry.limit = Math.min(this.limit, settings.maxConcurrentStreams ?? this.limit)
      if (entry.limit === 0) { retire(); return }
      if (first) this.serverLimit = entry.limit
      first = false
    })
    // Errors reach the streams in flight; without a listener a session error would end the process.
    session.on('error', retire)
    session.on('goaway', retire)
    session.on('close', retire)
    this.entries.push(entry)
    return entry
  }

  private ping (entry: Entry): void {
    const { session } = entry
    if (entry.suspect || session.closed || session.destroyed) return
    entry.suspect = true
    const fail = (error: FcmConnectionError) => {
      entry.retire()
      session.destroy(error)
    }
    const silent = setTimeout(() => { fail(new FcmConnectionError(`FCM's connection did not answer a PING within ${this.options.pingTimeoutMs} ms`)) }, this.options.pingTimeoutMs)
    silent.unref()
    try {
      session.ping((error) => {
        clearTimeout(silent)
        if (error !== null) fail(new FcmConnectionError('FCM\'s connection failed a PING', { cause: error }))
        else entry.suspect = false
      })
    } catch {
      // Too many unacknowledged pings, or the session is closing: let the timer decide.
    }
  }
}
