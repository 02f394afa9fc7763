import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { buildApp, call } from '../../helper.js'

/** The seed's campaign message, verbatim. */
export const seedMessage = {
  title: 'Balance update',
  body: 'Your balance is now $745.00',
  badge: 3,
  sound: 'default',
  icon: 'custom-icon',
  category: 'balance-update',
  collapseKey: 'balance-update',
  validUntil: '2016-10-12T11:20:04Z',
  extras: {
    _comment: 'Any custom data.'
  }
}

/** The api on a fresh database with the seed's application 2 (and 3 for a second one). */
export async function setUp (t: Test, options: { captureLogs?: boolean } = {}) {
  const built = await buildApp(t, {}, options)
  for (const appId of [2, 3]) {
    const response = await call(built.app, 'POST', '/admin/app/create', { requestObject: { appId, appName: `app ${appId}` } })
    t.equal(response.statusCode, 200, `application ${appId} created`)
  }
  return built
}

/** Creates a campaign through the API and returns its id (digits). */
export async function createCampaign (t: Test, app: FastifyInstance, appId: number | string = '2', message: object = seedMessage): Promise<string> {
  const response = await call(app, 'POST', '/push/campaign/create', { requestObject: { appId, message } })
  t.equal(response.statusCode, 200, 'campaign created')
  return response.json().responseObject.id
}

/** `user/add` through the API; the response, for the caller to check. */
export function addUsers (app: FastifyInstance, campaignId: string, users: unknown) {
  return call(app, 'PUT', `/push/campaign/${campaignId}/user/add`, { requestObject: users })
}

/** The campaign's stored users in user id order, straight from the table. */
export async function storedUsers (app: FastifyInstance, campaignId: string): Promise<string[]> {
  const rows = await app.db.campaignUser.findMany({ where: { campaignId: BigInt(campaignId) }, orderBy: { userId: 'asc' } })
  return rows.map((row) => row.userId)
}

/** Marks a campaign as if send/live had started it (and, with `completed`, finished it). */
export async function markSent (app: FastifyInstance, campaignId: string, completed = false): Promise<void> {
  const now = new Date()
  await app.db.campaign.update({
    where: { id: BigInt(campaignId) },
    data: { sentAt: now, ...(completed ? { publishedAt: now, completedAt: now } : {}) }
  })
}

/** The error envelope's message, after checking it is a 400 ERROR_GENERIC. */
export function badRequestMessage (t: Test, response: { statusCode: number, json: () => any }): string {
  t.equal(response.statusCode, 400, 'a 400')
  const body = response.json()
  t.equal(body.status, 'ERROR')
  t.equal(body.responseObject.code, 'ERROR_GENERIC')
  return body.responseObject.message
}

export const NOT_FOUND = 'Campaign with entered ID does not exist'
