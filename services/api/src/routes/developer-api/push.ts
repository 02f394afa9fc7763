import {
  DeveloperPushParams, DeveloperPushRequest, DeveloperPushResponse, InAppTokenRequest, InAppTokenResponse
} from '@beacon/contracts'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ApiConfig } from '../../config.js'
import { SignedApiError, sendTooManyRequests } from '../../domain/developer-api/errors.js'
import { resolveAddress, resolveSender } from '../../domain/developer-api/push-address.js'
import { storeInAppMessage, toFrame } from '../../domain/in-app/messages.js'

/** The IM text in either accepted form; exactly one must be given. */
function inAppContent (body: DeveloperPushRequest): string {
  const given = [body.content, body.appMessage?.content].filter((text) => text !== undefined)
  if (given.length !== 1) {
    throw new SignedApiError(400, 'give the in-app text as exactly one of content or appMessage.content')
  }
  return given[0] as string
}

/**
 * The signed API's push endpoint (an in-app message with an optional push fallback) and the
 * tokens a developer's backend hands to its users' apps to open the in-app channel.
 */
const pushRoutes: FastifyPluginAsyncTypebox<{ signedApi: ApiConfig['signedApi'], tokensPerMinute: number }> = async (app, { signedApi, tokensPerMinute }) => {
  const tokensPerKey = app.createLimit({ max: tokensPerMinute, windowMs: 60_000, keyOf: (request) => request.developer.key })

  app.post('/push/:address', {
    schema: { params: DeveloperPushParams, body: DeveloperPushRequest, response: { 200: DeveloperPushResponse } }
  }, async (request) => {
    const developer = request.developer
    const content = inAppContent(request.body)
    const to = await resolveAddress(app.db, developer.applicationIds, request.params.address)
    const sender = request.body.sender === undefined ? undefined : await resolveSender(app.db, developer.applicationIds, request.body.sender)
    const message = await storeInAppMessage(app.db, {
      applicationId: to.applicationId,
      userId: to.userId,
      developerId: developer.id,
      content,
      sender,
      pushContent: request.body.push?.content
    }, signedApi)
    await app.inApp.deliver({ applicationId: to.applicationId, userId: to.userId, developerId: developer.id, frame: toFrame(message) })
    return { requestId: message.id }
  })

  app.post('/im/token', {
    schema: { body: InAppTokenRequest, response: { 200: InAppTokenResponse } },
    preHandler: async (request, reply) => {
      const wait = await tokensPerKey.hit(request)
      if (wait > 0) {
        return await sendTooManyRequests(reply, wait, `more than ${tokensPerMinute} in-app tokens in a minute with this developer key; retry in ${wait} s`)
      }
    }
  }, async (request) => {
    const { developer } = request
    const to = await resolveAddress(app.db, developer.applicationIds, request.body.user)
    const { token, expiresAt } = app.inApp.tokens.issue({
      applicationId: to.applicationId, userId: to.userId, developerId: developer.id, tokenEpoch: developer.tokenEpoch
    })
    return { token, expiresAt: expiresAt.toISOString() }
  })
}
export default pushRoutes
