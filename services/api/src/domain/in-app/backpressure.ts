import type { WebSocket } from 'ws'

/**
 * Per socket, the bytes of data frames handed to ws and not yet to the kernel, and whoever waits
 * for them to drain. Counted here, not read from ws's `bufferedAmount`: that counts a string's
 * UTF-16 units, not its bytes, and also the control frames (pongs to a client's pings) that no
 * callback of ours follows, so a client pinging while backed up could leave a waiter stuck.
 */
interface Unsent {
  bytes: number
  waiters: Set<() => void>
}

const unsent = new WeakMap<WebSocket, Unsent>()

function stateOf (socket: WebSocket): Unsent {
  let state = unsent.get(socket)
  if (state === undefined) {
    state = { bytes: 0, waiters: new Set() }
    unsent.set(socket, state)
  }
  return state
}

/**
 * Sends a text frame of `payload` (UTF-8, so ws and the kernel count it in bytes); once it is
 * handed to the kernel, or the socket failed, whoever waits on the socket checks again.
 */
export function sendFrame (socket: WebSocket, payload: Buffer): void {
  const state = stateOf(socket)
  state.bytes += payload.length
  socket.send(payload, { binary: false }, () => {
    state.bytes -= payload.length
    for (const check of [...state.waiters]) check()
  })
}

/** Bytes of the socket's data frames still in the api's memory. */
export function unsentBytes (socket: WebSocket): number {
  return unsent.get(socket)?.bytes ?? 0
}

/**
 * Resolves once the api holds none of the socket's data frames (every one handed to the kernel),
 * or once the socket is no longer open: a client that does not read keeps it waiting, which costs
 * the api nothing but the promise.
 */
export async function drained (socket: WebSocket): Promise<void> {
  const state = stateOf(socket)
  await new Promise<void>((resolve) => {
    const check = () => {
      if (socket.readyState === socket.OPEN && state.bytes > 0) return
      state.waiters.delete(check)
      socket.off('close', check)
      resolve()
    }
    state.waiters.add(check)
    socket.on('close', check)
    check()
  })
}
