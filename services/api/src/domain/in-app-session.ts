import { InAppAckFrame, type InAppErrorFrame } from '@beacon/contracts'
import type { FastifyInstance } from 'fastify'
import { Compile } from 'typebox/compile'
import type { WebSocket } from 'ws'
import { acknowledgeInAppMessage, pendingInAppMessages, toFrame } from './in-app-messages.js'
import type { InAppIdentity } from './in-app-token.js'

const ackFrame = Compile(InAppAckFrame)

const sendError = (socket: WebSocket, message: string) => {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'error', message } satisfies InAppErrorFrame))
}

function parseAck (data: string): { id: string } | string {
  let frame: unknown
  try { frame = JSON.parse(data) } catch { return 'the frame is not JSON' }
  if (!ackFrame.Check(frame)) return 'expected {"type":"ack","id":"<message id, a uuid>"}'
  return { id: frame.id }
}

/**
 * One connected app of one user: registered for live messages first, then everything it has not
 * acknowledged is replayed (oldest first), so nothing falls between the two. A message may thus
 * arrive twice; clients de-duplicate by `id`.
 */
export async function serveInAppSocket (app: FastifyInstance, socket: WebSocket, identity: InAppIdentity): Promise<void> {
  // Listening before the first await: a frame that arrives meanwhile would otherwise be lost.
  const to = addressOf(app, identity)
  socket.on('message', (data, isBinary) => {
    const parsed = isBinary ? 'frames must be text (JSON)' : parseAck(data.toString())
    if (typeof parsed === 'string') {
      sendError(socket, parsed)
      return
    }
    acknowledge(app, identity, to, parsed.id).catch((error: unknown) => {
      app.log.error({ err: error, requestId: parsed.id }, 'in-app acknowledgement not recorded')
      sendError(socket, `the acknowledgement of ${parsed.id} was not recorded; send it again`)
    })
  })
  app.inApp.sockets.add(identity, socket)

  if (await to === null) {
    socket.close(1008, 'unknown application')
    return
  }
  for (const message of await pendingInAppMessages(app.db, identity)) {
    if (socket.readyState !== socket.OPEN) break
    socket.send(JSON.stringify(toFrame(message)))
  }
}

/** `username@carrier` of the identity (what callbacks say in `to`), or null if the application is gone. */
async function addressOf (app: FastifyInstance, identity: InAppIdentity): Promise<string | null> {
  const application = await app.db.application.findUnique({ where: { id: identity.applicationId }, select: { carrierDomain: true } })
  return application === null ? null : `${identity.userId}@${application.carrierDomain ?? ''}`
}

/**
 * Records the first ack of the user's own message and tells its developer; other acks change
 * nothing. The callback is queued before the ack commits: if queueing fails nothing is recorded
 * and the client's retry tries again; if the commit fails, the retry's callback is a duplicate
 * (same eventId) that the queue drops.
 */
async function acknowledge (app: FastifyInstance, identity: InAppIdentity, address: Promise<string | null>, id: string): Promise<void> {
  const to = await address
  if (to === null) return
  await app.db.$transaction(async (tx) => {
    const acknowledged = await acknowledgeInAppMessage(tx, identity, id)
    if (acknowledged === null) return
    await app.callbacks.emit(acknowledged.developerId, {
      eventId: `${id}:im.delivered`,
      event: 'im.delivered',
      requestId: id,
      to,
      timestamp: new Date().toISOString()
    })
  })
}
