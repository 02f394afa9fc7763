import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { credentials } from '../../helper.js'

/** The header every console request carries (console-session.ts). */
export const CONSOLE = { 'x-beacon-console': '1' } as const
export const SESSION_COOKIE = 'beacon_console'

type Cookie = { name: string, value: string, httpOnly?: boolean, secure?: boolean, sameSite?: string, path?: string, maxAge?: number, expires?: Date }

/** The session cookie a response sets, if it sets one. */
export const sessionCookieOf = (response: { cookies: unknown[] }) =>
  (response.cookies as Cookie[]).find((cookie) => cookie.name === SESSION_COOKIE)

/** `POST /console/api/session` with a JSON body (the admin's credentials by default). */
export function signIn (app: FastifyInstance, body: unknown = credentials, { headers = CONSOLE as Record<string, string>, remoteAddress }: { headers?: Record<string, string>, remoteAddress?: string } = {}) {
  return app.inject({
    method: 'POST',
    url: '/console/api/session',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    ...(remoteAddress === undefined ? {} : { remoteAddress })
  })
}

/** Signs in and answers the cookie's value; fails the test unless the sign-in worked. */
export async function sessionOf (t: Test, app: FastifyInstance, body: unknown = credentials): Promise<string> {
  const response = await signIn(app, body)
  t.equal(response.statusCode, 200, `signed in: ${response.body.slice(0, 200)}`)
  const cookie = sessionCookieOf(response)
  if (cookie === undefined) throw new Error('no session cookie set')
  return cookie.value
}

/** A console read (`/admin/console/<path>`) with the session cookie and, unless told otherwise, the console header. */
export function readWithSession (app: FastifyInstance, path: string, requestObject: unknown, cookie: string | undefined, headers: Record<string, string> = CONSOLE) {
  return app.inject({
    method: 'POST',
    url: `/admin/console/${path}`,
    headers: { ...headers, 'content-type': 'application/json', ...(cookie === undefined ? {} : { cookie: `${SESSION_COOKIE}=${cookie}` }) },
    payload: JSON.stringify({ requestObject })
  })
}

/** `GET /console/api/session` (who am I) with the cookie and the header. */
export function whoAmI (app: FastifyInstance, cookie: string, headers: Record<string, string> = CONSOLE) {
  return app.inject({ method: 'GET', url: '/console/api/session', headers: { ...headers, cookie: `${SESSION_COOKIE}=${cookie}` } })
}

/** The API's error body with this status and code. */
export function expectError (t: Test, response: { statusCode: number, json: () => any }, status: number, code: string, what: string) {
  t.equal(response.statusCode, status, what)
  t.equal(response.json().status, 'ERROR', `${what}: the API's error body`)
  t.equal(response.json().responseObject.code, code, `${what}: ${code}`)
}
