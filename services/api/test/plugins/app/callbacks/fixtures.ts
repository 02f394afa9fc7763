import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CallbackBody } from '@beacon/contracts'
import { startCallbackReceiver } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../../src/domain/developers/developers.js'
import { queueCallbacks } from '../../../../src/domain/outbox/outbox.js'

/**
 * Queues a signed callback as the api's own writers do (in the outbox, with its record) and wakes
 * the sweeper that publishes it; a repeat of an eventId is de-duplicated.
 */
export async function emitCallback (app: FastifyInstance, developerId: number, body: CallbackBody): Promise<void> {
  await queueCallbacks(app.db.pool, [{ developerId, body }])
  app.outbox.kick()
}

export const key = 'dev-key-1'
export const secret = 'dev-secret-0123456789abcdef'

export async function createDeveloper (app: FastifyInstance, callbackUrl: string | null, options: { enabled?: boolean } = {}) {
  const application = await app.db.application.create({ data: { appId: '1', name: 'carrier', carrierDomain: 'carrier.example' } })
  const id = await allocateDeveloperId(app.db)
  const developer = await app.db.developer.create({
    data: {
      id,
      key,
      name: 'Dev',
      secret: sealDeveloperSecret(app.secrets, id, secret),
      callbackUrl,
      enabled: options.enabled ?? true,
      applications: { create: [{ applicationId: application.id }] }
    }
  })
  return developer.id
}

export function callbackBody (event: CallbackBody['event'] = 'im.delivered'): CallbackBody {
  const requestId = randomUUID()
  return { eventId: `${requestId}:${event}`, event, requestId, to: 'alice@carrier.example', timestamp: new Date().toISOString() }
}

export async function receiver (t: Test, secrets: Map<string, string> | ((key: string) => string | undefined) = new Map([[key, secret]]), port?: number) {
  const started = await startCallbackReceiver({ developers: secrets, ...(port === undefined ? {} : { port }) })
  t.teardown(() => started.close())
  return started
}

/** What the api logged when it scheduled a retry: the attempt, what it came to, and the delay it asked for. */
export interface LoggedRetry { attempt: number, lastStatus?: number, lastError?: string, retryInMs: number }

export function loggedRetries (logs: string, eventId: string): LoggedRetry[] {
  return logs.split('\n').filter((line) => line.includes('callback attempt failed; retried') && line.includes(eventId))
    .map((line) => JSON.parse(line) as LoggedRetry)
}

/** An HTTP answer a scripted server gives, once it resolves. */
export interface ScriptedAnswer { status: number, headers?: Record<string, string> }

/**
 * A developer's server whose answers the test decides one request at a time (a redirect, or an
 * answer held until the test has changed something). It records each request as it arrives.
 */
export async function startScriptedServer (t: Test, answer: (request: IncomingMessage, index: number) => Promise<ScriptedAnswer> | ScriptedAnswer) {
  const requests: Array<{ method: string, url: string }> = []
  const server = createServer((request, response) => {
    const index = requests.push({ method: request.method ?? '', url: request.url ?? '' }) - 1
    request.resume()
    request.on('end', () => {
      Promise.resolve(answer(request, index)).then(({ status, headers = {} }) => response.writeHead(status, headers).end(),
        () => response.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  const port = (server.address() as AddressInfo).port
  return { url: (path = '/') => `http://127.0.0.1:${port}${path}`, requests: () => [...requests] }
}
