import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { call } from '../../helper.js'

/** `{"requestObject": …}` to a console read, with the admin credentials. */
export async function consoleCall (app: FastifyInstance, path: string, requestObject: unknown) {
  return await call(app, 'POST', `/admin/console/${path}`, { requestObject })
}

/**
 * Every page of a console list, `limit` entries at a time, following nextCursor until it is null.
 * Fails the test on any answer but 200, or a page longer than `limit`.
 */
export async function allPages<T> (t: Test, app: FastifyInstance, path: string, listName: string, requestObject: Record<string, unknown>, limit: number): Promise<T[][]> {
  const pages: T[][] = []
  let cursor: string | null = null
  do {
    const response = await consoleCall(app, path, { ...requestObject, limit, ...(cursor === null ? {} : { cursor }) })
    t.equal(response.statusCode, 200, response.body.slice(0, 200))
    const answer = response.json().responseObject as Record<string, unknown>
    const page = answer[listName] as T[]
    t.ok(page.length <= limit, `a page holds at most ${limit}`)
    pages.push(page)
    cursor = answer.nextCursor as string | null
    if (pages.length > 100) throw new Error('more than 100 pages: the cursor does not advance')
  } while (cursor !== null)
  return pages
}

/** The 400 a console read answers, in the API's error body; its message must match `message`. */
export async function expectBadRequest (t: Test, app: FastifyInstance, path: string, requestObject: unknown, message: RegExp) {
  const response = await consoleCall(app, path, requestObject)
  t.equal(response.statusCode, 400, `${path} ${JSON.stringify(requestObject).slice(0, 100)}`)
  t.equal(response.json().status, 'ERROR')
  t.equal(response.json().responseObject.code, 'ERROR_GENERIC')
  t.match(response.json().responseObject.message, message)
}
