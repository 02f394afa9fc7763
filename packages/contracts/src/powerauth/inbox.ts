import { Type, type Static } from 'typebox'
import { CampaignUserId } from './campaigns.js'
import { AppId, AppIdAnswer, AppIdText, MAX_APP_ID_LENGTH } from '../http/app-id.js'
import { Uuid } from '../http/common.js'
import { MAX_PAGE_SIZE, PageNumberParam, PageSizeParam, SpringBooleanParam } from '../http/query-params.js'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'

/** Most applications one inbox message may belong to (PowerAuth posts one message to several). */
export const MAX_INBOX_MESSAGE_APPLICATIONS = 100
export const MAX_INBOX_SUBJECT_LENGTH = 255
export const MAX_INBOX_SUMMARY_LENGTH = 1024
export const MAX_INBOX_BODY_LENGTH = 65536

/** `list` page size when `size` is absent, and the largest, as for a campaign's user list. */
export const DEFAULT_INBOX_PAGE_SIZE = 100
export const MAX_INBOX_PAGE_SIZE = MAX_PAGE_SIZE

/** Inbox message ids are UUIDs; checked here so that a malformed one is a 400, not a database error. */
export const InboxMessageId = Uuid('an inbox message id (UUID)')

/** PowerAuth writes `text` and `html`; any case is accepted and the answer is always lowercase. */
export const InboxMessageTypeInput = Type.String({
  pattern: '^([tT][eE][xX][tT]|[hH][tT][mM][lL])$',
  description: 'text or html'
})

const Text = (minLength: number, maxLength: number, what: string) => Type.String({
  minLength, maxLength, description: `${what} of ${minLength} to ${maxLength} characters`
})

export const PostInboxMessageRequest = RequestEnvelope(Type.Object({
  userId: CampaignUserId,
  applications: Type.Array(AppId, {
    minItems: 1,
    maxItems: MAX_INBOX_MESSAGE_APPLICATIONS,
    description: `a list of 1 to ${MAX_INBOX_MESSAGE_APPLICATIONS} application ids`
  }),
  type: InboxMessageTypeInput,
  subject: Text(1, MAX_INBOX_SUBJECT_LENGTH, 'a subject'),
  summary: Text(1, MAX_INBOX_SUMMARY_LENGTH, 'a summary'),
  body: Text(0, MAX_INBOX_BODY_LENGTH, 'a body'),
  silent: Type.Optional(Type.Boolean({ description: 'true or false' }))
}))
export type PostInboxMessageRequest = Static<typeof PostInboxMessageRequest>

const InboxType = Type.Union([Type.Literal('text'), Type.Literal('html')])

/** A message as `list` shows it. */
export const InboxMessageSummary = Type.Object({
  id: Type.String(),
  type: InboxType,
  subject: Type.String(),
  summary: Type.String(),
  read: Type.Boolean(),
  timestampCreated: Type.String()
})
export type InboxMessageSummary = Static<typeof InboxMessageSummary>

/** A message in full; `applications` are PowerAuth application ids. */
export const InboxMessageDetail = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  applications: Type.Array(AppIdAnswer),
  type: InboxType,
  subject: Type.String(),
  summary: Type.String(),
  body: Type.String(),
  read: Type.Boolean(),
  timestampCreated: Type.String(),
  timestampRead: Type.Union([Type.String(), Type.Null()])
})
export type InboxMessageDetail = Static<typeof InboxMessageDetail>

export const InboxMessageDetailResponse = OkObjectResponse(InboxMessageDetail)

const InboxApplicationsText = Type.String({
  minLength: 1,
  maxLength: MAX_INBOX_MESSAGE_APPLICATIONS * (MAX_APP_ID_LENGTH + 1),
  pattern: '^[^\\u0000-\\u001F\\u007F-\\u009F]+$'
})

/** Query strings stay strings (no coercion); `onlyUnread`, `page` and `size` as Spring reads them. */
export const InboxListQuery = Type.Object({
  userId: CampaignUserId,
  // PowerAuth reads one string and splits it at commas; Spring joins `applications=a&applications=b`
  // to `a,b` first. Each part is then checked as an application id (see splitApplicationsQuery):
  // an id that holds a comma cannot be named here, in PowerAuth either.
  applications: Type.Union([
    InboxApplicationsText,
    Type.Array(InboxApplicationsText, { minItems: 1, maxItems: MAX_INBOX_MESSAGE_APPLICATIONS })
  ], { description: `a comma-separated list of 1 to ${MAX_INBOX_MESSAGE_APPLICATIONS} application ids` }),
  onlyUnread: Type.Optional(SpringBooleanParam('true (unread messages only) or false (every message, the default)')),
  page: Type.Optional(PageNumberParam),
  size: Type.Optional(PageSizeParam(DEFAULT_INBOX_PAGE_SIZE))
})
export type InboxListQuery = Static<typeof InboxListQuery>

/** PowerAuth's paged answer: `page` and `size` beside `responseObject`; newest message first. */
export const InboxListResponse = Type.Object({
  status: Type.Literal('OK'),
  page: Type.Integer(),
  size: Type.Integer(),
  responseObject: Type.Array(InboxMessageSummary)
})

export const InboxCountQuery = Type.Object({ userId: CampaignUserId, appId: AppIdText })
export type InboxCountQuery = Static<typeof InboxCountQuery>

export const InboxCountResponse = OkObjectResponse(Type.Object({ countUnread: Type.Integer() }))

export const InboxDetailQuery = Type.Object({ id: InboxMessageId })
export type InboxDetailQuery = Static<typeof InboxDetailQuery>

export const ReadInboxMessageRequest = RequestEnvelope(Type.Object({ inboxId: InboxMessageId }))
export type ReadInboxMessageRequest = Static<typeof ReadInboxMessageRequest>

export const ReadAllInboxMessagesRequest = RequestEnvelope(Type.Object({ userId: CampaignUserId, appId: AppId }))
export type ReadAllInboxMessagesRequest = Static<typeof ReadAllInboxMessagesRequest>
