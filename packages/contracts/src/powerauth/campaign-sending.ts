import { Type, type Static } from 'typebox'
import { NonEmptyString } from '../http/common.js'
import { RequestEnvelope } from '../http/envelope.js'

/** A campaign id in a path: Beacon's campaign ids are bigints, written in digits. */
export const CampaignPathParams = Type.Object({
  id: Type.String({ pattern: '^[0-9]{1,18}$', description: 'a campaign id (digits)' })
})
export type CampaignPathParams = Static<typeof CampaignPathParams>

export const CampaignTestSendRequest = RequestEnvelope(Type.Object({ userId: NonEmptyString(255, 'user id') }))
export type CampaignTestSendRequest = Static<typeof CampaignTestSendRequest>
