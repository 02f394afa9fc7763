import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { call } from '../../helper.js'

/** Applications 1 (carrier-one.example), 2 (carrier-two.example) and 3 (no carrier), created through the admin API. */
export async function createCarriers (t: Test, app: FastifyInstance) {
  for (const [appId, carrierDomain] of [[1, 'carrier-one.example'], [2, 'carrier-two.example'], [3, undefined]] as const) {
    const response = await call(app, 'POST', '/admin/app/create', { requestObject: { appId, ...(carrierDomain === undefined ? {} : { carrierDomain }) } })
    t.equal(response.statusCode, 200, `application ${appId} created`)
  }
}

export const ONE = { appId: 1, carrierDomain: 'carrier-one.example' }
export const TWO = { appId: 2, carrierDomain: 'carrier-two.example' }
export const THREE = { appId: 3, carrierDomain: null }

/** POST /admin/developer/create; fails the test unless it answers 200. */
export async function createDeveloper (t: Test, app: FastifyInstance, requestObject: Record<string, unknown>) {
  const response = await call(app, 'POST', '/admin/developer/create', { requestObject })
  t.equal(response.statusCode, 200, response.body)
  return response.json().responseObject
}

/** `{"requestObject": body}` to an admin developer endpoint. */
export async function developerCall (app: FastifyInstance, method: 'GET' | 'POST' | 'PUT', action: string, requestObject?: unknown) {
  return await call(app, method, `/admin/developer/${action}`, requestObject === undefined ? undefined : { requestObject })
}
