import { randomBytes } from 'node:crypto'
import { InAppCloseCode } from '@beacon/contracts'
import type { WebSocket } from 'ws'
import { sendFrame } from './backpressure.js'
import type { InAppGrant, InAppIdentity } from './token.js'

const userKey = ({ developerId, applicationId, userId }: InAppIdentity) => `${developerId}\u0000${applicationId}\u0000${userId}`

export interface SocketLimits {
  perUser: number
  perToken: number
  /** Unsent bytes a socket may hold before it counts as a slow consumer. */
  maxBufferedBytes: number
}

interface Entry {
  socket: WebSocket
  grant: InAppGrant
  /** The token the socket was opened with (its value: what a cap per token needs). */
  token: string
}

/** Adds `entry` to the set under `key` of `map`. */
function put<K> (map: Map<K, Set<Entry>>, key: K, entry: Entry): Set<Entry> {
  let entries = map.get(key)
  if (entries === undefined) {
    entries = new Set()
    map.set(key, entries)
  }
  entries.add(entry)
  return entries
}

function take<K> (map: Map<K, Set<Entry>>, key: K, entry: Entry): void {
  const entries = map.get(key)
  if (entries === undefined) return
  entries.delete(entry)
  if (entries.size === 0) map.delete(key)
}

/**
 * The in-app sockets connected to this api instance, per (developer, application, user): a socket
 * sees only the messages of the developer whose token opened it. Other instances keep their own;
 * a message reaches them all through the transport's fan-out.
 */
export class InAppSockets {
  private readonly byUser = new Map<string, Set<Entry>>()
  private readonly byToken = new Map<string, Set<Entry>>()
  private readonly byDeveloper = new Map<number, Set<Entry>>()
  private readonly alive = new WeakMap<WebSocket, boolean>()
  /** Each socket's last ping payload: only a pong that echoes it counts as an answer. */
  private readonly pings = new WeakMap<WebSocket, Buffer>()

  constructor (private readonly limits: SocketLimits, private readonly onSlowConsumer: (grant: InAppGrant) => void = () => {}) {}

  /** Registers the socket; beyond the caps per user and per token the oldest sockets are closed. */
  add (grant: InAppGrant, token: string, socket: WebSocket): void {
    const entry: Entry = { socket, grant, token }
    this.closeOldest(put(this.byUser, userKey(grant), entry), this.limits.perUser)
    this.closeOldest(put(this.byToken, token, entry), this.limits.perToken)
    put(this.byDeveloper, grant.developerId, entry)
    this.alive.set(socket, true)
    // Any pong did before: a client that never read (so never saw a ping) kept its socket by
    // sending pongs of its own, and with it whatever the socket held unsent.
    socket.on('pong', (data) => { if (this.pings.get(socket)?.equals(data) === true) this.alive.set(socket, true) })
    socket.once('close', () => this.remove(entry))
  }

  /**
   * Writes `text` unless the socket already holds more unsent data than allowed: a client that
   * does not read is terminated (what it missed stays unacknowledged: replayed or pushed).
   */
  write (socket: WebSocket, grant: InAppGrant, text: string): boolean {
    if (socket.readyState !== socket.OPEN) return false
    const payload = Buffer.from(text)
    // In bytes: frames go as UTF-8 buffers (a string's would count its UTF-16 units).
    if (socket.bufferedAmount + payload.length > this.limits.maxBufferedBytes) {
      this.onSlowConsumer(grant)
      socket.terminate()
      return false
    }
    sendFrame(socket, payload)
    return true
  }

  /** The most unsent data a socket may hold (INAPP_MAX_BUFFERED_BYTES). */
  get maxBufferedBytes (): number {
    return this.limits.maxBufferedBytes
  }

  /** Sends the text to every open socket of the user opened with the developer's tokens; how many got it. */
  send (identity: InAppIdentity, text: string): number {
    let sent = 0
    for (const entry of [...this.byUser.get(userKey(identity)) ?? []]) {
      if (this.write(entry.socket, entry.grant, text)) sent++
    }
    return sent
  }

  /** Every socket open here (the in-app sockets gauge). */
  get size (): number {
    let open = 0
    for (const entries of this.byDeveloper.values()) open += entries.size
    return open
  }

  count (identity: InAppIdentity): number {
    return this.byUser.get(userKey(identity))?.size ?? 0
  }

  /** The developer's sockets open here. */
  openFor (developerId: number): number {
    return this.byDeveloper.get(developerId)?.size ?? 0
  }

  /** The developers with open sockets here. */
  developers (): number[] {
    return [...this.byDeveloper.keys()]
  }

  /** Closes the developer's sockets whose grant `keep` no longer admits; how many were closed. */
  revoke (developerId: number, keep: (grant: InAppGrant) => boolean): number {
    let closed = 0
    for (const entry of [...this.byDeveloper.get(developerId) ?? []]) {
      if (keep(entry.grant)) continue
      this.remove(entry)
      entry.socket.close(InAppCloseCode.REVOKED, 'no longer authorized')
      closed++
    }
    return closed
  }

  /**
   * Keep-alive round: a socket that did not answer the previous ping is dead (a peer that vanished
   * without closing) and is terminated; the others are pinged again.
   */
  ping (): void {
    for (const { socket } of [...this.byDeveloper.values()].flatMap((entries) => [...entries])) {
      if (this.alive.get(socket) !== true) {
        socket.terminate()
        continue
      }
      this.alive.set(socket, false)
      const payload = randomBytes(8)
      this.pings.set(socket, payload)
      socket.ping(payload)
    }
  }

  private closeOldest (entries: Set<Entry>, cap: number): void {
    for (const entry of [...entries].slice(0, Math.max(entries.size - cap, 0))) {
      this.remove(entry)
      entry.socket.close(InAppCloseCode.REPLACED, 'too many connections: replaced by a newer one')
    }
  }

  private remove (entry: Entry): void {
    take(this.byUser, userKey(entry.grant), entry)
    take(this.byToken, entry.token, entry)
    take(this.byDeveloper, entry.grant.developerId, entry)
  }
}
