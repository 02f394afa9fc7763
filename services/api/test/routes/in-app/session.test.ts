import { EventEmitter } from 'node:events'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { WebSocket } from 'ws'
import { serveInAppSocket } from '../../../src/domain/in-app/session.js'

/** A socket and an app just real enough for the session: they record what the session does with them. */
function fakes () {
  const socket = Object.assign(new EventEmitter(), { OPEN: 1, CLOSING: 2, readyState: 1, close () {}, send () {} })
  const counted: string[] = []
  const acknowledgements: unknown[] = []
  const app = {
    log: { error () {} },
    inApp: { sockets: { add () {}, write: () => true } },
    db: {
      application: { findUnique: async () => ({ carrierDomain: 'carrier.example' }) },
      // The replay's read and the acknowledgements' statement; the latter recorded.
      pool: {
        query: async (query: { name?: string }) => {
          if (query.name === 'beacon-in-app-acknowledge') acknowledgements.push(query)
          return { rows: [] }
        }
      }
    },
    outbox: { kick () {} }
  } as unknown as FastifyInstance
  return { socket, app, counted, acknowledgements }
}

t.test('frames that arrive while the socket is closing (revoked, replaced) count for nothing', async (t) => {
  const { socket, app, counted, acknowledgements } = fakes()
  const grant = { applicationId: 1, userId: 'alice', developerId: 1, tokenEpoch: 0 }
  await serveInAppSocket(app, socket as unknown as WebSocket, { grant, token: 't', ackRate: async () => { counted.push('ack'); return 0 }, faultRate: async () => 0 })
  const ack = (id: string) => socket.emit('message', Buffer.from(JSON.stringify({ type: 'ack', id })), false)

  socket.readyState = socket.CLOSING
  ack('00000000-0000-4000-8000-000000000001')
  socket.readyState = socket.OPEN
  ack('00000000-0000-4000-8000-000000000002') // the control: an open socket's ack is recorded
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  t.same(counted, ['ack'], 'only the open socket\'s ack was counted')
  t.equal(acknowledgements.length, 1, 'and recorded')
})
