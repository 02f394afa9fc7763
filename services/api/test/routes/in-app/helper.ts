import { signAsDeveloper } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import WebSocket from 'ws'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../src/domain/developers/developers.js'
import { storeInAppMessage } from '../../../src/domain/in-app/messages.js'

export const CARRIER = 'carrier.example'
export const key = 'push-dev-key'
export const secret = 'push-dev-secret-0123456789'

export interface Setup {
  applicationId: number
  developerId: number
}

/**
 * The carrier's application (unless it exists) and a developer allowed to address it. With
 * `callbackUrl` the developer gets callbacks; `extraCarrier` adds an application it may not address.
 */
export async function setupDeveloper (app: FastifyInstance, options: { callbackUrl?: string, developerKey?: string } = {}): Promise<Setup> {
  const application = await app.db.application.upsert({
    where: { appId: '1' }, update: {}, create: { appId: '1', name: 'carrier', carrierDomain: CARRIER }
  })
  const id = await allocateDeveloperId(app.db)
  const developer = await app.db.developer.create({
    data: {
      id,
      key: options.developerKey ?? key,
      name: 'Dev',
      secret: sealDeveloperSecret(app.secrets, id, secret),
      callbackUrl: options.callbackUrl ?? null,
      applications: { create: [{ applicationId: application.id }] }
    }
  })
  return { applicationId: application.id, developerId: developer.id }
}

/** A MAAIISDK10-signed JSON POST through `inject`. */
export function signedPost (app: FastifyInstance, uri: string, body: unknown, developerKey = key) {
  const payload = JSON.stringify(body)
  const headers = signAsDeveloper({ method: 'POST', uri, body: payload, contentType: 'application/json', key: developerKey, secret })
  return app.inject({ method: 'POST', url: uri, headers: { ...headers }, payload })
}

export async function pushTo (app: FastifyInstance, address: string, body: unknown, developerKey = key): Promise<string> {
  const response = await signedPost(app, `/api/1.0/push/${address}`, body, developerKey)
  if (response.statusCode !== 200) throw new Error(`push answered ${response.statusCode}: ${response.body}`)
  return (response.json() as { requestId: string }).requestId
}

export async function tokenFor (app: FastifyInstance, user: string, developerKey = key): Promise<string> {
  const response = await signedPost(app, '/api/1.0/im/token', { user }, developerKey)
  if (response.statusCode !== 200) throw new Error(`token answered ${response.statusCode}: ${response.body}`)
  return (response.json() as { token: string }).token
}

/** The app listening on a free port; the base URL for ws://. */
export async function listen (app: FastifyInstance): Promise<string> {
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return address.replace(/^http/, 'ws')
}

export interface Client {
  socket: WebSocket
  frames: Array<Record<string, unknown>>
  /** The close code and reason, once the server closed the socket. */
  closed: Promise<{ code: number, reason: string }>
  /** Resolves once `count` frames arrived (all of them so far). */
  until (count: number, timeoutMs?: number): Promise<Array<Record<string, unknown>>>
  send (frame: unknown): void
}

/** A WebSocket client of the in-app channel that records every frame; closed when the test ends. */
export async function connect (t: Test, base: string, token: string): Promise<Client> {
  const socket = new WebSocket(`${base}/api/1.0/im/connect?token=${encodeURIComponent(token)}`)
  const frames: Array<Record<string, unknown>> = []
  socket.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>))
  const closed = new Promise<{ code: number, reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  t.teardown(() => socket.close())
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve)
    socket.once('error', reject)
  })
  return {
    socket,
    frames,
    closed,
    async until (count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      while (frames.length < count) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} frames (got ${JSON.stringify(frames)})`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      return frames
    },
    send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }
}

/** Polls until `condition` holds. */
export async function until (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The status (and JSON body) of an upgrade to the in-app channel: 101 when the socket opened, then closed. */
export async function upgradeStatus (base: string, token: string): Promise<{ status: number, retryAfter?: string, body?: unknown }> {
  return await new Promise((resolve, reject) => {
    const socket = new WebSocket(`${base}/api/1.0/im/connect?token=${encodeURIComponent(token)}`)
    socket.once('open', () => { socket.close(); resolve({ status: 101 }) })
    socket.once('unexpected-response', (_request, response) => {
      let text = ''
      response.on('data', (chunk: Buffer) => { text += chunk.toString() })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, retryAfter: String(response.headers['retry-after']), body: JSON.parse(text) }))
    })
    socket.once('error', reject)
  })
}

/**
 * `count` unacknowledged messages of `content` to the user, the first stored as the API would
 * store it, the others copies of it, three to each millisecond (so the replay's order meets ties).
 * Their ids in the replay's order.
 */
export async function storeBacklog (app: FastifyInstance, user: { developerId: number, applicationId: number, userId: string }, count: number, content: string): Promise<string[]> {
  const first = await storeInAppMessage(app.db, { ...user, content }, { inAppAckTimeoutMs: 600_000, inAppMessageTtlSeconds: 3600 })
  await app.db.$executeRaw`
    WITH copies AS (
      INSERT INTO inbox_message (id, user_id, type, subject, summary, body, created_at, developer_id, expires_at)
      SELECT gen_random_uuid(), user_id, type, subject, summary, body, created_at + (n / 3) * interval '1 ms', developer_id, expires_at
      FROM inbox_message, generate_series(1, ${count - 1}::int) AS n WHERE id = ${first.id}::uuid
      RETURNING id)
    INSERT INTO inbox_message_application (message_id, application_id) SELECT id, ${user.applicationId} FROM copies`
  const stored = await app.db.$queryRaw<Array<{ id: string }>>`
    SELECT id::text FROM inbox_message WHERE user_id = ${user.userId} AND developer_id = ${user.developerId} ORDER BY created_at, id`
  return stored.map((row) => row.id)
}

/** The api's side of its only open in-app socket. */
export function serverSocket (app: FastifyInstance): WebSocket {
  const [socket, ...others] = app.websocketServer.clients
  if (socket === undefined || others.length > 0) throw new Error(`expected one socket, found ${app.websocketServer.clients.size}`)
  return socket
}

/** Stops reading the client's TCP socket (what the server sends piles up in the kernel, then in the api), or reads again. */
export function tcpOf (socket: WebSocket): { pause: () => void, resume: () => void } {
  return (socket as unknown as { _socket: { pause: () => void, resume: () => void } })._socket
}
