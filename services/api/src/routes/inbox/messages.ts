import {
  DEFAULT_INBOX_PAGE_SIZE, InboxCountQuery, InboxCountResponse, InboxDetailQuery, InboxListQuery,
  InboxListResponse, InboxMessageDetailResponse, PostInboxMessageRequest
} from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireApplicationByAppId } from '../../domain/applications/lookup.js'
import { requireInboxApplications, splitApplicationsQuery } from '../../domain/inbox/applications.js'
import { countUnreadInbox, inboxPage } from '../../domain/inbox/lists.js'
import { postInboxMessage, requireInboxMessage } from '../../domain/inbox/messages.js'
import { springBoolean, springPage } from '../../domain/powerauth/spring-params.js'

/** Posting a message, and the user's view of their inbox: list, unread count, detail. */
const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/inbox/messages', {
    config: { validationErrors: 'violations' },
    schema: { body: PostInboxMessageRequest, response: { 200: InboxMessageDetailResponse } }
  }, async (request) => {
    return { status: 'OK' as const, responseObject: await postInboxMessage(app.db, request.body.requestObject) }
  })

  app.get('/inbox/messages/list', {
    schema: { querystring: InboxListQuery, response: { 200: InboxListResponse } }
  }, async (request) => {
    const { userId, applications, onlyUnread } = request.query
    const applicationIds = await requireInboxApplications(app.db, splitApplicationsQuery(applications))
    const { page, size } = springPage(request.query, DEFAULT_INBOX_PAGE_SIZE)
    const messages = await inboxPage(app.db, { userId, applicationIds, onlyUnread: springBoolean(onlyUnread, false), page, size })
    return { status: 'OK' as const, page, size, responseObject: messages }
  })

  app.get('/inbox/messages/count', {
    schema: { querystring: InboxCountQuery, response: { 200: InboxCountResponse } }
  }, async (request) => {
    const application = await requireApplicationByAppId(app.db, request.query.appId)
    const countUnread = await countUnreadInbox(app.db, request.query.userId, application.id)
    return { status: 'OK' as const, responseObject: { countUnread } }
  })

  app.get('/inbox/messages/detail', {
    schema: { querystring: InboxDetailQuery, response: { 200: InboxMessageDetailResponse } }
  }, async (request) => {
    return { status: 'OK' as const, responseObject: await requireInboxMessage(app.db, request.query.id) }
  })
}
export default messageRoutes
