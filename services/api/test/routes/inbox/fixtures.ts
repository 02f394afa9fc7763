import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { buildApp, call } from '../../helper.js'

/** PowerAuth application ids of the test applications. */
export const APP_IDS = [1, 2, 3] as const

/** The api on a fresh database with applications 1, 2 and 3. */
export async function setUp (t: Test) {
  const built = await buildApp(t)
  for (const appId of APP_IDS) {
    await built.app.db.application.create({ data: { appId: String(appId), name: `app ${appId}` } })
  }
  return built
}

export const message = (overrides: Record<string, unknown> = {}) => ({
  userId: 'user-1',
  applications: [1],
  type: 'text',
  subject: 'Statement ready',
  summary: 'Your March statement is ready',
  body: 'Open the app to read your March statement.',
  ...overrides
})

/** Posts a message and returns its detail, after checking it was accepted. */
export async function post (t: Test, app: FastifyInstance, overrides: Record<string, unknown> = {}) {
  const response = await call(app, 'POST', '/inbox/messages', { requestObject: message(overrides) })
  t.equal(response.statusCode, 200, 'message posted')
  return response.json().responseObject
}

/** Sets a message's creation time, so that "newest first" does not depend on the clock's resolution. */
export async function backdate (app: FastifyInstance, id: string, minutesAgo: number): Promise<void> {
  await app.db.inboxMessage.update({ where: { id }, data: { createdAt: new Date(Date.now() - minutesAgo * 60_000) } })
}

/** The error envelope's message, after checking it is a 400 ERROR_GENERIC. */
export function badRequestMessage (t: Test, response: { statusCode: number, json: () => any }): string {
  t.equal(response.statusCode, 400, 'a 400')
  const body = response.json()
  t.equal(body.status, 'ERROR')
  t.equal(body.responseObject.code, 'ERROR_GENERIC')
  return body.responseObject.message
}

/**
 * The message of a body refused by its schema on an inbox post, after checking it is PowerAuth
 * 1.5+'s answer: a 400 ERROR_REQUEST listing the one violation the message describes.
 */
export function requestViolation (t: Test, response: { statusCode: number, json: () => any }): string {
  t.equal(response.statusCode, 400, 'a 400')
  const body = response.json()
  t.equal(body.status, 'ERROR')
  t.equal(body.responseObject.code, 'ERROR_REQUEST')
  const [violation, ...more] = body.responseObject.violations ?? []
  t.same(more, [], 'one violation')
  t.equal(`${violation?.fieldName} ${violation?.hint}`, body.responseObject.message, 'the violation is what the message says')
  t.ok(violation !== undefined && 'invalidValue' in violation, 'the value given is listed')
  return body.responseObject.message
}

export const NOT_FOUND = 'Inbox message with entered ID does not exist'
export const UNKNOWN_ID = '6f1c2a4e-0b7d-4c3e-9a51-2d8f7e6b5c4a'
