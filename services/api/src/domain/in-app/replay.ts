import type { FastifyInstance } from 'fastify'
import type { WebSocket } from 'ws'
import { drained, isDrained } from './backpressure.js'
import { MAX_REPLAY, pendingInAppMessages, toFrame, type ReplayCursor } from './messages.js'
import type { InAppGrant } from './token.js'

/** Messages loaded per statement; those the socket cannot take yet are dropped and loaded again. */
const PAGE = 50

/**
 * Writes what the user has not acknowledged (up to MAX_REPLAY, oldest first) as fast as its client
 * reads: a frame goes only while the api holds nothing unsent for the socket (the kernel's buffer
 * takes it, so a fast reader never waits). While it waits, the replay holds no message, only
 * where to go on from. Written all at once, a backlog that a slow network could not take as fast
 * passed INAPP_MAX_BUFFERED_BYTES, and the client was dropped as a slow consumer on every
 * reconnect; and a client that read nothing held the limit and the 500 loaded messages in memory.
 */
export async function replayPending (app: FastifyInstance, socket: WebSocket, grant: InAppGrant): Promise<void> {
  let position: Position = { left: MAX_REPLAY, done: false }
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
  done: boolean
}

/** Loads the next page and writes what the socket takes now; where the replay stands after. */
async function writePage (app: FastifyInstance, socket: WebSocket, grant: InAppGrant, { after, left }: Position): Promise<Position> {
  const take = Math.min(PAGE, left)
  const page = await pendingInAppMessages(app.db, grant, after === undefined ? { take } : { after, take })
  let written = 0
  for (const message of page) {
    if (!isDrained(socket)) break
    if (!app.inApp.sockets.write(socket, grant, JSON.stringify(toFrame(message)))) return { left, done: true }
    after = { createdAt: message.createdAt, id: message.id }
    written++
  }
  const rest = left - written
  const done = rest === 0 || (page.length < take && written === page.length)
  return after === undefined ? { left: rest, done } : { after, left: rest, done }
}
