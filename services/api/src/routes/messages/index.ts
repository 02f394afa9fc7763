import { appIdText, SendBatchRequest, SendMessageRequest, SendMessageResponse } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sendMessages } from '../../domain/messages.js'
import messageDetailRoute from './detail.js'

/** `POST /push/message/send` and `/push/message/batch/send`. */
const messageRoutes: FastifyPluginAsyncTypebox<{ syncTimeoutMs: number }> = async (app, { syncTimeoutMs }) => {
  app.post('/push/message/send', {
    schema: { body: SendMessageRequest, response: { 200: SendMessageResponse } }
  }, async (request) => {
    const { appId, mode, message } = request.body.requestObject
    const outcome = await sendMessages(app, appIdText(appId), [message], mode ?? 'SYNCHRONOUS', syncTimeoutMs)
    return { status: 'OK' as const, responseObject: { result: outcome.result, messageIds: outcome.messageIds } }
  })

  app.post('/push/message/batch/send', {
    schema: { body: SendBatchRequest, response: { 200: SendMessageResponse } }
  }, async (request) => {
    const { appId, mode, batch } = request.body.requestObject
    const outcome = await sendMessages(app, appIdText(appId), batch, mode ?? 'SYNCHRONOUS', syncTimeoutMs)
    return { status: 'OK' as const, responseObject: { result: outcome.result, messageIds: outcome.messageIds } }
  })

  await app.register(messageDetailRoute)
}
export default messageRoutes
