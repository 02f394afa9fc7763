import { Type, type Static } from 'typebox'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'
import { FailedChunk } from '../powerauth/campaigns.js'

/** `POST /admin/console/campaign/progress`: how far a campaign's live sending is, for the console's bar. */
export const CampaignConsoleProgressRequest = RequestEnvelope(Type.Object({
  campaignId: Type.String({ pattern: '^[0-9]{1,18}$', description: 'a campaign id (digits), as create returned it' })
}))
export type CampaignConsoleProgressRequest = Static<typeof CampaignConsoleProgressRequest>

/**
 * Users and devices in separate counts: a user may have no device or several, so the bar counts
 * users (of chunks that are done) and the chart counts devices (sent, failed).
 */
export const CampaignConsoleProgress = Type.Object({
  campaignId: Type.String(),
  /** The campaign's users. */
  users: Type.Integer(),
  /** Users of the chunks that are done: every device of theirs has its outcome, or their chunk failed as a whole. */
  usersDone: Type.Integer(),
  chunks: Type.Integer(),
  chunksDone: Type.Integer(),
  /** Device deliveries by outcome (FAILED and EXPIRED count as failed); PENDING while a dispatcher sends them. */
  devicesSent: Type.Integer(),
  devicesFailed: Type.Integer(),
  devicesPending: Type.Integer(),
  /** Chunks that failed as a whole (NotQueued, DeliveryAttemptsExhausted, …): their unreached users got nothing. */
  failedChunks: Type.Array(FailedChunk),
  /** Live sending started (null: not yet), and every chunk is done (null: not yet). */
  timestampSent: Type.Union([Type.String(), Type.Null()]),
  timestampCompleted: Type.Union([Type.String(), Type.Null()])
})
export type CampaignConsoleProgress = Static<typeof CampaignConsoleProgress>

export const CampaignConsoleProgressResponse = OkObjectResponse(CampaignConsoleProgress)
export type CampaignConsoleProgressResponse = Static<typeof CampaignConsoleProgressResponse>
