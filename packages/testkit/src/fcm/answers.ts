import { fcmErrorDetail, googleError, invalidArgument, type FcmHttpAnswer } from './errors.js'
import type { ScriptedAnswer } from '../provider-script.js'

/** What the mock does with one valid send: answer (maybe after a delay), drop the connection, or never answer. */
export type FcmOutcome = { kind: 'respond', answer: FcmHttpAnswer, delayMs?: number } | { kind: 'drop' } | { kind: 'hang' }

const respond = (answer: FcmHttpAnswer): FcmOutcome => ({ kind: 'respond', answer })

/** A scripted answer in the words of the FCM v1 API; `success` names the message it accepted. */
export function fcmOutcome (scripted: ScriptedAnswer | undefined, success: () => FcmHttpAnswer): FcmOutcome {
  if (scripted === undefined || scripted === 'success') return respond(success())
  switch (scripted) {
    case 'unregistered':
      return respond(googleError(404, 'NOT_FOUND', 'Requested entity was not found.', [fcmErrorDetail('UNREGISTERED')]))
    case 'bad-token':
      return respond(invalidArgument('message.token', 'Invalid registration token', 'The registration token is not a valid FCM registration token'))
    case 'server-error':
      return respond(googleError(500, 'INTERNAL', 'Internal error encountered.', [fcmErrorDetail('INTERNAL')]))
    case 'unavailable':
      return respond(googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.', [fcmErrorDetail('UNAVAILABLE')]))
    case 'drop':
      return { kind: 'drop' }
    case 'hang':
      return { kind: 'hang' }
  }
  if (scripted.kind === 'slow') return { kind: 'respond', answer: success(), delayMs: scripted.delayMs }
  if (scripted.kind === 'refused') return respond(googleError(scripted.status, 'INVALID_ARGUMENT', scripted.text, [fcmErrorDetail('INVALID_ARGUMENT')]))
  const headers = scripted.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(scripted.retryAfterSeconds) }
  return respond(googleError(429, 'RESOURCE_EXHAUSTED', 'Sending limit exceeded for the message target.', [fcmErrorDetail('QUOTA_EXCEEDED')], headers))
}
