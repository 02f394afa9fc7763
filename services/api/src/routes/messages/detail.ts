import { MessageDetailResponse, MessageIdParams } from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { recordedCounts } from '../../domain/messages/counts.js'
import { messageDetail } from '../../domain/messages/detail.js'
import { badRequest } from '../../errors.js'

/** `GET /push/message/{id}/detail`: where a message stands, from the recorded outcomes. */
const messageDetailRoute: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/push/message/:id/detail', {
    schema: { params: MessageIdParams, response: { 200: MessageDetailResponse } }
  }, async (request) => {
    const message = await app.db.message.findUnique({ where: { id: request.params.id }, include: { application: true } })
    if (message === null) throw badRequest(`Message with id ${request.params.id} does not exist`)
    return {
      status: 'OK' as const,
      responseObject: messageDetail(message, message.application.appId, await recordedCounts(app.db, [message.id]))
    }
  })
}
export default messageDetailRoute
