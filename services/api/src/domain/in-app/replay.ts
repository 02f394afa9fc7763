import type { FastifyInstance } from 'fastify'
import type { WebSocket } from 'ws'
import { drained, unsentBytes } from './backpressure.js'
import { MAX_REPLAY, pendingInAppMessages, toFrame, type ReplayCursor } from './messages.js'
import type { InAppGrant } from './token.js'

/** Messages loaded by the first statement: a client that reads as fast as they are written takes them all at once. */
const FIRST_PAGE = 50
/** The fewest loaded by a later one. */
const MIN_PAGE = 4

/**
 * Writes what the user has not acknowledged (up to MAX_REPLAY, oldest first) as fast as its client
 * reads. Frames go while the api holds at most half of INAPP_MAX_BUFFERED_BYTES of the socket's
 * unsent data (the other half stays for live messages, which do not wait), and always one when
 * it holds none. Then the replay waits until the client has taken all of it: meanwhile it holds
 * no message, only where to go on from, and the next statement loads twice what the socket took
 * last time (what it does not take now is loaded again later). Written all at once, a backlog
 * that a slow network could not take as fast passed INAPP_MAX_BUFFERED_BYTES, and the client was
 * dropped as a slow consumer on every reconnect; and a client that read nothing held the limit
 * and the 500 loaded messages in memory.
 */
export async function replayPending (app: FastifyInstance, socket: WebSocket, grant: InAppGrant): Promise<void> {
  let position: Position = { left: MAX_REPLAY, take: FIRST_PAGE, done: false }
  for (;;) {
    // A page lives only inside writePage: nothing of it stays referenced while this waits.
    position = await writePage(app, socket, grant, position)
    if (position.done) return
    await drained(socket)
    if (socket.readyState !== socket.OPEN) return
  }
}

interface Position {
  /** The last message written. */
  after?: ReplayCursor
  /** How many more may be written. */
  left: number
  /** How many to load next. */
  take: number
  done: boolean
}

/** Loads the next page and writes what the socket takes now; where the replay stands after. */
async function writePage (app: FastifyInstance, socket: WebSocket, grant: InAppGrant, { after, left, take }: Position): Promise<Position> {
  const { sockets } = app.inApp
  const asked = Math.min(take, left)
  const page = await pendingInAppMessages(app.db, grant, after === undefined ? { take: asked } : { after, take: asked })
  let written = 0
  for (const message of page) {
    const frame = JSON.stringify(toFrame(message))
    const fits = () => unsentBytes(socket) === 0 || unsentBytes(socket) + Buffer.byteLength(frame) <= sockets.maxBufferedBytes / 2
    // A frame the kernel took at once is counted until its callback, which runs after this
    // turn of the event loop: let them run before giving the page up.
    if (!fits()) await new Promise(setImmediate)
    if (!fits()) break
    if (!sockets.write(socket, grant, frame)) return { left, take, done: true }
    after = { createdAt: message.createdAt, id: message.id }
    written++
  }
  const rest = left - written
  const next = { left: rest, take: Math.min(FIRST_PAGE, Math.max(MIN_PAGE, 2 * written)), done: rest === 0 || (page.length < asked && written === page.length) }
  return after === undefined ? next : { after, ...next }
}
