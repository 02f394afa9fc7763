import type { WebSocket } from 'ws'
import type { InAppIdentity } from './in-app-token.js'

const keyOf = ({ applicationId, userId }: InAppIdentity) => `${applicationId}\u0000${userId}`

/**
 * The in-app sockets connected to this api instance, per (application, user). Other instances
 * keep their own; a message reaches them all through the transport's fan-out.
 */
export class InAppSockets {
  private readonly byUser = new Map<string, Set<WebSocket>>()
  private readonly alive = new WeakMap<WebSocket, boolean>()

  add (identity: InAppIdentity, socket: WebSocket): void {
    const key = keyOf(identity)
    let sockets = this.byUser.get(key)
    if (sockets === undefined) {
      sockets = new Set()
      this.byUser.set(key, sockets)
    }
    sockets.add(socket)
    this.alive.set(socket, true)
    socket.on('pong', () => this.alive.set(socket, true))
    socket.once('close', () => this.remove(key, socket))
  }

  /** Sends the text to every open socket of the user here; how many got it. */
  send (identity: InAppIdentity, text: string): number {
    let sent = 0
    for (const socket of this.byUser.get(keyOf(identity)) ?? []) {
      if (socket.readyState !== socket.OPEN) continue
      socket.send(text)
      sent++
    }
    return sent
  }

  count (identity: InAppIdentity): number {
    return this.byUser.get(keyOf(identity))?.size ?? 0
  }

  /**
   * Keep-alive round: a socket that did not answer the previous ping is dead (a peer that vanished
   * without closing) and is terminated; the others are pinged again.
   */
  ping (): void {
    for (const socket of this.all()) {
      if (this.alive.get(socket) !== true) {
        socket.terminate()
        continue
      }
      this.alive.set(socket, false)
      socket.ping()
    }
  }

  private * all (): Generator<WebSocket> {
    for (const sockets of [...this.byUser.values()]) yield * [...sockets]
  }

  private remove (key: string, socket: WebSocket): void {
    const sockets = this.byUser.get(key)
    if (sockets === undefined) return
    sockets.delete(socket)
    if (sockets.size === 0) this.byUser.delete(key)
  }
}
