import type { WebSocket } from 'ws'

/**
 * Unsent bytes of a socket that count as drained: only control frames (a ping or close frame is
 * at most 127 bytes, and ws tells no one when it is written out) may still wait behind the data.
 */
export const DRAINED_BYTES = 1024

/** Per socket, whoever waits for its unsent data to drain: woken by each frame written out, and by the close. */
const waiting = new WeakMap<WebSocket, Set<() => void>>()

/** Sends a data frame; once it has been handed to the kernel, whoever waits on the socket checks again. */
export function sendFrame (socket: WebSocket, text: string): void {
  socket.send(text, () => {
    for (const check of [...waiting.get(socket) ?? []]) check()
  })
}

export function isDrained (socket: WebSocket): boolean {
  return socket.bufferedAmount <= DRAINED_BYTES
}

/**
 * Resolves once the api holds (nearly) nothing unsent for the socket, every frame handed to the
 * kernel, or once the socket is no longer open: a client that does not read keeps it waiting,
 * which costs the api nothing but the promise.
 */
export async function drained (socket: WebSocket): Promise<void> {
  await new Promise<void>((resolve) => {
    let checks = waiting.get(socket)
    if (checks === undefined) {
      checks = new Set()
      waiting.set(socket, checks)
    }
    const check = () => {
      if (socket.readyState === socket.OPEN && !isDrained(socket)) return
      checks.delete(check)
      socket.off('close', check)
      resolve()
    }
    checks.add(check)
    socket.on('close', check)
    check()
  })
}
