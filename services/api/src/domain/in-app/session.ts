import { InAppAckFrame, type InAppErrorFrame } from '@beacon/contracts'
import type { FastifyInstance } from 'fastify'
import { Compile } from 'typebox/compile'
import type { WebSocket } from 'ws'
import { acknowledgeInAppMessages } from './messages.js'
import { replayPending } from './replay.js'
import type { InAppGrant } from './token.js'

const ackFrame = Compile(InAppAckFrame)

/** Acknowledgements of one socket waiting for the statement in flight; more is a misbehaving client. */
const MAX_QUEUED_ACKS = 1000

/**
 * Through the registry's write, like every frame: a client that sends without reading cannot make
 * the server hold more of its error answers than any other unread data.
 */
const sendError = (app: FastifyInstance, socket: WebSocket, grant: InAppGrant, message: string) => {
  app.inApp.sockets.write(socket, grant, JSON.stringify({ type: 'error', message } satisfies InAppErrorFrame))
}

/**
 * Error answers to a client's own faults (malformed frames, acks over the rate or the queue) per
 * socket and minute; one more closes the socket (1008). Each answer is small, but a client that
 * sends without reading makes them pile up unsent: with no bound it had as many as it sent frames,
 * each holding a slice of a shared buffer of Node's, until the slow-consumer limit or keep-alive.
 */
export const MAX_CLIENT_ERRORS_PER_MINUTE = 100

/** Answers a client's fault with an error frame while its budget lasts, then closes the socket. */
function clientFaults (app: FastifyInstance, socket: WebSocket, grant: InAppGrant, faultRate: () => Promise<number>) {
  return (message: string) => {
    faultRate().then((wait) => {
      if (wait === 0) sendError(app, socket, grant, message)
      else if (socket.readyState === socket.OPEN) socket.close(1008, 'too many bad frames')
    }, (error: unknown) => { app.log.error({ err: error }, 'in-app client fault not counted') })
  }
}

function parseAck (data: string): { id: string } | string {
  let frame: unknown
  try { frame = JSON.parse(data) } catch { return 'the frame is not JSON' }
  if (!ackFrame.Check(frame)) return 'expected {"type":"ack","id":"<message id, a uuid>"}'
  return { id: frame.id }
}

export interface InAppConnection {
  grant: InAppGrant
  /** The token the socket was opened with (caps per token). */
  token: string
  /** Counts one acknowledgement of this socket: the seconds to wait when it is over its rate, else 0. */
  ackRate: () => Promise<number>
  /** Counts one fault of this socket's client: the seconds to wait when it is over its budget, else 0. */
  faultRate: () => Promise<number>
}

/**
 * One connected app of one user, for one developer: registered for live messages first, then
 * everything of that developer it has not acknowledged is replayed (oldest first), so nothing
 * falls between the two. A message may thus arrive twice; clients de-duplicate by `id`.
 */
export async function serveInAppSocket (app: FastifyInstance, socket: WebSocket, connection: InAppConnection): Promise<void> {
  const { grant } = connection
  // Listening before the first await: a frame that arrives meanwhile would otherwise be lost.
  const to = addressOf(app, grant)
  const fault = clientFaults(app, socket, grant, connection.faultRate)
  const acks = acknowledgements(app, socket, grant, to, fault)
  socket.on('message', (data, isBinary) => {
    // A socket being closed (revoked, replaced, shutting down) still hears frames until the peer
    // answers the close: they count for nothing.
    if (socket.readyState !== socket.OPEN) return
    const parsed = isBinary ? 'frames must be text (JSON)' : parseAck(data.toString())
    if (typeof parsed === 'string') {
      fault(parsed)
      return
    }
    connection.ackRate().then((wait) => {
      if (wait > 0) fault(`too many acknowledgements; ${parsed.id} was not recorded: send it again in ${wait} s`)
      else if (socket.readyState === socket.OPEN) acks.push(parsed.id)
    }, (error: unknown) => { app.log.error({ err: error }, 'in-app acknowledgement rate not counted') })
  })
  app.inApp.sockets.add(grant, connection.token, socket)

  if (await to === null) {
    socket.close(1008, 'unknown application')
    return
  }
  await replayPending(app, socket, grant)
}

/** `username@carrier` of the identity (what callbacks say in `to`), or null if the application is gone. */
async function addressOf (app: FastifyInstance, grant: InAppGrant): Promise<string | null> {
  const application = await app.db.application.findUnique({ where: { id: grant.applicationId }, select: { carrierDomain: true } })
  return application === null ? null : `${grant.userId}@${application.carrierDomain ?? ''}`
}

/**
 * A socket's acknowledgements, recorded one statement at a time: those that arrive while one is in
 * flight are recorded together by the next. So a client acking fast costs one transaction in
 * flight, not one per frame.
 */
function acknowledgements (app: FastifyInstance, socket: WebSocket, grant: InAppGrant, address: Promise<string | null>, fault: (message: string) => void) {
  let queued: string[] = []
  let draining = false
  const drain = async () => {
    while (queued.length > 0) {
      const ids = queued
      queued = []
      await acknowledge(app, grant, address, ids).catch((error: unknown) => {
        app.log.error({ err: error, requestIds: ids }, 'in-app acknowledgements not recorded')
        for (const id of ids) sendError(app, socket, grant, `the acknowledgement of ${id} was not recorded; send it again`)
      })
    }
    draining = false
  }
  return {
    push (id: string) {
      if (queued.length >= MAX_QUEUED_ACKS) {
        fault(`too many acknowledgements waiting; ${id} was not recorded: send it again later`)
        return
      }
      queued.push(id)
      if (draining) return
      draining = true
      drain().catch(() => {}) // drain logs its own failures
    }
  }
}

/**
 * Records the first ack of each of the user's own messages of this developer and tells the
 * developer, in one statement (acknowledgeInAppMessages): if it fails nothing is recorded or
 * queued, and the client's retry tries again.
 */
async function acknowledge (app: FastifyInstance, grant: InAppGrant, address: Promise<string | null>, ids: string[]): Promise<void> {
  const to = await address
  if (to === null) return
  const acknowledged = await acknowledgeInAppMessages(app.db, grant, [...new Set(ids)], to)
  if (acknowledged.length > 0) app.outbox.kick()
}
