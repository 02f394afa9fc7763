import { Type, type Static } from 'typebox'
import { NumericId } from '../http/common.js'
import { OkObjectResponse, RequestEnvelope } from '../http/envelope.js'
import { NextCursor, pageFields } from './page.js'

/** `POST /admin/console/callback/list`: a developer's callbacks, newest first. */
export const CallbackListRequest = RequestEnvelope(Type.Object({ developerId: NumericId, ...pageFields }))
export type CallbackListRequest = Static<typeof CallbackListRequest>

/** What became of one callback; never its body, URL or signature. */
export const CallbackRecord = Type.Object({
  eventId: Type.String(),
  event: Type.String(),
  requestId: Type.String(),
  /** PENDING until accepted (DELIVERED), or given up or dropped unsent (FAILED). */
  status: Type.Union([Type.Literal('PENDING'), Type.Literal('DELIVERED'), Type.Literal('FAILED')]),
  attempts: Type.Integer(),
  /** The HTTP status of the last attempt. */
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  /** Why the last attempt got no status (ECONNREFUSED, TimeoutError, …), or why it was dropped (DeveloperDisabled, NoCallbackUrl, NotQueued). */
  lastError: Type.Union([Type.String(), Type.Null()]),
  timestampCreated: Type.String(),
  timestampLastAttempt: Type.Union([Type.String(), Type.Null()]),
  timestampCompleted: Type.Union([Type.String(), Type.Null()])
})
export type CallbackRecord = Static<typeof CallbackRecord>

export const CallbackListResponse = OkObjectResponse(Type.Object({ callbackList: Type.Array(CallbackRecord), nextCursor: NextCursor }))
export type CallbackListResponse = Static<typeof CallbackListResponse>
