import {
  ApplicationRemoveRequest, ApplicationRemoveResponse, CallbackListRequest, CallbackListResponse, CampaignConsoleProgressRequest, CampaignConsoleProgressResponse, DeviceRemoveRequest, DeviceRemoveResponse, DeviceSearchRequest, DeviceSearchResponse,
  MessageListRequest, MessageListResponse, MessageOutcomesRequest, MessageOutcomesResponse, SystemStatusResponse
} from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { removeApplication } from '../../domain/console/applications.js'
import { listCallbacks } from '../../domain/console/callbacks.js'
import { campaignConsoleProgress } from '../../domain/console/campaigns.js'
import { removeDeviceById, searchDevices } from '../../domain/console/devices.js'
import { listMessages, listOutcomes } from '../../domain/console/messages.js'
import { systemStatus } from '../../domain/console/system.js'

const ok = <T>(responseObject: T) => ({ status: 'OK' as const, responseObject })

/**
 * `/admin/console/*`: what the admin console reads, a page at a time (keyset cursors, see
 * domain/console/page.ts). Basic auth, or the console's session cookie with its header (see app.ts).
 * Under a `console` segment of its own: PowerAuth owns `/admin/app/*` and may add more under
 * `/admin/`. POST with `requestObject`, as every other `/admin/*` request with parameters.
 * Every read is narrowed to the application or developer the request names.
 */
const consoleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/admin/console/device/search', {
    schema: { body: DeviceSearchRequest, response: { 200: DeviceSearchResponse } }
  }, async (request) => {
    const page = await searchDevices(app.db, request.body.requestObject)
    return ok({ deviceList: page.entries, nextCursor: page.nextCursor })
  })

  // The console's writes: an application's removal (PowerAuth has none), a device's by id.
  app.post('/admin/console/application/remove', {
    schema: { body: ApplicationRemoveRequest, response: { 200: ApplicationRemoveResponse } }
  }, async (request) => {
    const { developerIds } = await removeApplication(app.db, request.body.requestObject)
    // Their grants went with it: their in-app sockets are checked again, as after an update.
    for (const developerId of developerIds) await app.inApp.developerChanged(developerId)
    request.log.info({ appId: request.body.requestObject.appId }, 'application removed')
    return ok({ removed: true })
  })

  // The console's Remove button (it has the device id, not the full token).
  app.post('/admin/console/device/remove', {
    schema: { body: DeviceRemoveRequest, response: { 200: DeviceRemoveResponse } }
  }, async (request) => ok(await removeDeviceById(app.db, request.body.requestObject)))

  app.post('/admin/console/message/list', {
    schema: { body: MessageListRequest, response: { 200: MessageListResponse } }
  }, async (request) => {
    const page = await listMessages(app.db, request.body.requestObject)
    return ok({ messageList: page.entries, nextCursor: page.nextCursor })
  })

  app.post('/admin/console/message/outcomes', {
    schema: { body: MessageOutcomesRequest, response: { 200: MessageOutcomesResponse } }
  }, async (request) => {
    const page = await listOutcomes(app.db, request.body.requestObject)
    return ok({ outcomeList: page.entries, nextCursor: page.nextCursor })
  })

  app.post('/admin/console/callback/list', {
    schema: { body: CallbackListRequest, response: { 200: CallbackListResponse } }
  }, async (request) => {
    const page = await listCallbacks(app.db, request.body.requestObject)
    return ok({ callbackList: page.entries, nextCursor: page.nextCursor })
  })

  // No parameters: a GET. Never cached: it is a reading of now.
  app.get('/admin/console/system/status', {
    schema: { response: { 200: SystemStatusResponse } }
  }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return ok(await systemStatus(app.readiness))
  })

  // Not a page: one campaign's counts, which the console's campaign page polls while it sends.
  app.post('/admin/console/campaign/progress', {
    schema: { body: CampaignConsoleProgressRequest, response: { 200: CampaignConsoleProgressResponse } }
  }, async (request) => ok(await campaignConsoleProgress(app.db, request.body.requestObject.campaignId)))
}
export default consoleRoutes
