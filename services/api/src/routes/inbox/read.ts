import { InboxMessageDetailResponse, OkResponse, ReadAllInboxMessagesRequest, ReadInboxMessageRequest } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireApplicationByAppId } from '../../domain/applications/lookup.js'
import { readAllInbox } from '../../domain/inbox/lists.js'
import { readInboxMessage } from '../../domain/inbox/messages.js'

/** Marking messages read: one by id (idempotent), or all of a user's in one application. */
const readRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/inbox/messages/read', {
    config: { validationErrors: 'violations' },
    schema: { body: ReadInboxMessageRequest, response: { 200: InboxMessageDetailResponse } }
  }, async (request) => {
    return { status: 'OK' as const, responseObject: await readInboxMessage(app.db, request.body.requestObject.inboxId) }
  })

  app.post('/inbox/messages/read-all', {
    config: { validationErrors: 'violations' },
    schema: { body: ReadAllInboxMessagesRequest, response: { 200: OkResponse } }
  }, async (request) => {
    const { userId, appId } = request.body.requestObject
    const application = await requireApplicationByAppId(app.db, appId)
    await readAllInbox(app.db, userId, application.id)
    return { status: 'OK' as const }
  })
}
export default readRoutes
