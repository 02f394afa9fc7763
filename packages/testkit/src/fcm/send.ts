import type { IncomingHttpHeaders } from 'node:http'
import { fcmOutcome, type FcmOutcome } from './answers.js'
import { invalidArgument, type FcmHttpAnswer } from './errors.js'
import { checkSendRequest, field, targetOf } from './message.js'
import type { GoogleOAuthMock } from './oauth.js'
import type { FcmReceived } from './mock.js'
import type { ScriptedAnswer } from '../provider-script.js'

export interface SendRequest { projectId: string, headers: IncomingHttpHeaders, text: string }

export interface SendContext {
  oauth: GoogleOAuthMock
  /** The scripted answer for a target, consuming it. */
  takeScript: (target: string) => ScriptedAnswer | undefined
  now: () => number
}

// Message ids only need to be unique; a counter is much cheaper than random bytes per request.
let sequence = 0

export interface SendDecision { outcome: FcmOutcome, body: unknown, account: string | undefined }

/**
 * `POST /v1/projects/{id}/messages:send` in the API's order: the bearer token first, then the
 * body, then whatever the test scripted for the target. Dry runs (`validate_only`) stop after
 * validation, as they do at Google.
 */
export function decideSend (request: SendRequest, context: SendContext): SendDecision {
  const auth = context.oauth.authorize(request.headers.authorization, request.projectId)
  let body: unknown
  try { body = JSON.parse(request.text) } catch { body = undefined }
  const account = auth.ok ? auth.clientEmail : undefined
  const respond = (answer: FcmHttpAnswer): SendDecision => ({ outcome: { kind: 'respond', answer }, body, account })
  if (!auth.ok) return respond(auth.answer)
  const violation = body === undefined
    ? { field: '', description: 'Invalid JSON payload received.', message: 'Invalid JSON payload received.' }
    : checkSendRequest(body)
  if (violation !== null) return respond(invalidArgument(violation.field, violation.description, violation.message))
  const messages = `projects/${request.projectId}/messages`
  if (field(body, 'validate_only') === true) return respond({ status: 200, body: { name: `${messages}/fake_message_id` } })
  const success = (): FcmHttpAnswer => ({ status: 200, body: { name: `${messages}/0:${context.now()}%${(++sequence).toString(16).padStart(16, '0')}` } })
  return { outcome: fcmOutcome(context.takeScript(targetOf(field(body, 'message'))), success), body, account }
}

const errorCodeOf = (answer: FcmHttpAnswer): string | undefined => {
  const error = (answer.body as { error?: { status?: string, details?: Array<{ errorCode?: string }> } }).error
  return error?.details?.find((detail) => detail.errorCode !== undefined)?.errorCode ?? error?.status
}

/** The log entry for a decided send; the bearer token is left out. */
export function receivedEntry (request: SendRequest, decision: SendDecision): Omit<FcmReceived, 'protocol'> {
  const { outcome, body, account } = decision
  const message = field(body, 'message')
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) {
    if (name !== 'authorization' && value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value
  }
  return {
    at: Date.now(),
    token: targetOf(message),
    projectId: request.projectId,
    account,
    headers,
    message,
    validateOnly: field(body, 'validate_only') === true,
    status: outcome.kind === 'drop' ? 'dropped' : outcome.kind === 'hang' ? 'hung' : outcome.answer.status,
    errorCode: outcome.kind !== 'respond' || outcome.answer.status === 200 ? undefined : errorCodeOf(outcome.answer)
  }
}
