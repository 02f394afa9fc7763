import { appIdText, SendBatchRequest, SendMessageRequest, SendMessageResponse } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { checkBodySize } from '../../domain/messages/body-size.js'
import { sendMessages } from '../../domain/messages/messages.js'
import { sendAnswer } from '../../domain/messages/send-answer.js'
import messageDetailRoute from './detail.js'

/** `POST /push/message/send` and `/push/message/batch/send`: the answer in every client's shape (send-answer.ts). */
const messageRoutes: FastifyPluginAsyncTypebox<{ syncTimeoutMs: number }> = async (app, { syncTimeoutMs }) => {
  app.post('/push/message/send', {
    schema: { body: SendMessageRequest, response: { 200: SendMessageResponse } }
  }, async (request) => {
    const { appId, mode = 'SYNCHRONOUS', message } = request.body.requestObject
    checkBodySize(message.body, 'requestObject.message.body')
    return sendAnswer(mode, await sendMessages(app, appIdText(appId), [message], mode, syncTimeoutMs))
  })

  app.post('/push/message/batch/send', {
    schema: { body: SendBatchRequest, response: { 200: SendMessageResponse } }
  }, async (request) => {
    const { appId, mode = 'SYNCHRONOUS', batch } = request.body.requestObject
    batch.forEach((message, index) => { checkBodySize(message.body, `requestObject.batch.${index}.body`) })
    return sendAnswer(mode, await sendMessages(app, appIdText(appId), batch, mode, syncTimeoutMs))
  })

  await app.register(messageDetailRoute)
}
export default messageRoutes
