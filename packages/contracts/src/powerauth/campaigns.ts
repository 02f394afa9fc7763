import { Type, type Static } from 'typebox'
import { AppId, AppIdAnswer } from '../http/app-id.js'
import { MAX_PAGE_SIZE, PageNumberParam, PageSizeParam, SpringBooleanParam } from '../http/query-params.js'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'
import { MessageBody } from './message-body.js'

/** Most users one `user/add` or `user/delete` call takes; larger lists go in several calls. */
export const MAX_CAMPAIGN_USERS_PER_CALL = 100_000

/** `user/list` page size when `size` is absent (PowerAuth leaves it to Spring's default). */
export const DEFAULT_CAMPAIGN_USERS_PAGE_SIZE = 100
export const MAX_CAMPAIGN_USERS_PAGE_SIZE = MAX_PAGE_SIZE

/** A user id of a campaign: what devices are registered under. PostgreSQL text cannot hold NUL. */
export const CampaignUserId = Type.String({
  minLength: 1, maxLength: 255, pattern: '^[^\\u0000]+$', description: 'a user id of 1 to 255 characters'
})

export const CreateCampaignRequest = RequestEnvelope(Type.Object({
  appId: AppId,
  message: MessageBody
}))
export type CreateCampaignRequest = Static<typeof CreateCampaignRequest>

/** `id` is Beacon's campaign id (a bigint) in digits. */
export const CreateCampaignResponse = OkObjectResponse(Type.Object({ id: Type.String() }))

/** `deleted: false` when there was no such campaign (PowerAuth's answer, not an error). */
export const DeleteCampaignResponse = OkObjectResponse(Type.Object({ deleted: Type.Boolean() }))

const Timestamp = Type.Union([Type.String({ description: 'ISO 8601' }), Type.Null()])

/** A campaign as `list` shows it; `sent` is true once sending completed (timestampCompleted). */
export const CampaignSummary = Type.Object({
  id: Type.String(),
  appId: AppIdAnswer,
  sent: Type.Boolean(),
  message: MessageBody,
  timestampCreated: Type.String(),
  /** When live sending started; sending may still be under way. */
  timestampSent: Timestamp,
  timestampCompleted: Timestamp
})
export type CampaignSummary = Static<typeof CampaignSummary>

/** A chunk of a campaign that failed as a whole (e.g. NotQueued, DeliveryAttemptsExhausted), and why. */
export const FailedChunk = Type.Object({ chunk: Type.Integer(), reason: Type.String() })
export type FailedChunk = Static<typeof FailedChunk>

/** Device deliveries of a campaign so far: FAILED and EXPIRED both count as failed. */
export const CampaignProgress = Type.Object({
  sent: Type.Integer(),
  failed: Type.Integer(),
  pending: Type.Integer(),
  total: Type.Integer(),
  /**
   * Beacon's addition, present only when some chunk failed as a whole (e.g. NotQueued,
   * DeliveryAttemptsExhausted): which chunks and why. Their users never reached are in no count.
   */
  failedChunks: Type.Optional(Type.Array(FailedChunk))
})
export type CampaignProgress = Static<typeof CampaignProgress>

export const CampaignDetailResponse = OkObjectResponse(Type.Object({
  ...CampaignSummary.properties,
  progress: CampaignProgress
}))

export const CampaignListQuery = Type.Object({
  all: Type.Optional(SpringBooleanParam('true (every campaign) or false (those not sent yet, the default)'))
})
export type CampaignListQuery = Static<typeof CampaignListQuery>

export const CampaignListResponse = OkObjectResponse(Type.Array(CampaignSummary))

/** The body of `user/add` and `user/delete`: `{"requestObject": ["u1", …]}` (an empty list changes nothing). */
export const CampaignUsersRequest = RequestEnvelope(Type.Array(CampaignUserId, {
  maxItems: MAX_CAMPAIGN_USERS_PER_CALL,
  description: `a list of at most ${MAX_CAMPAIGN_USERS_PER_CALL} user ids`
}))
export type CampaignUsersRequest = Static<typeof CampaignUsersRequest>

/** Spring's Pageable parameters: `page` (0-based) and `size`. */
export const CampaignUsersPageQuery = Type.Object({
  page: Type.Optional(PageNumberParam),
  size: Type.Optional(PageSizeParam(DEFAULT_CAMPAIGN_USERS_PAGE_SIZE))
})
export type CampaignUsersPageQuery = Static<typeof CampaignUsersPageQuery>

/** PowerAuth's paged answer: `page` and `size` beside `responseObject`; users in user id order. */
export const CampaignUsersPageResponse = Type.Object({
  status: Type.Literal('OK'),
  page: Type.Integer(),
  size: Type.Integer(),
  responseObject: Type.Object({
    campaignId: Type.String(),
    users: Type.Array(Type.String())
  })
})
