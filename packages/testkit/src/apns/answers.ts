import type { ScriptedAnswer } from '../provider-script.js'

/** What the mock does with one request: answer (maybe after a delay), drop the connection, or never answer. */
export type ApnsOutcome =
  | { kind: 'respond', status: number, reason?: string, headers?: Record<string, string>, delayMs?: number }
  | { kind: 'drop' }
  | { kind: 'hang' }

const fixed = {
  success: { kind: 'respond', status: 200 },
  unregistered: { kind: 'respond', status: 410, reason: 'Unregistered' },
  'bad-token': { kind: 'respond', status: 400, reason: 'BadDeviceToken' },
  'server-error': { kind: 'respond', status: 500, reason: 'InternalServerError' },
  unavailable: { kind: 'respond', status: 503, reason: 'ServiceUnavailable' },
  drop: { kind: 'drop' },
  hang: { kind: 'hang' }
} as const satisfies Record<Extract<ScriptedAnswer, string>, ApnsOutcome>

/** A scripted answer in APNs terms (no script: success). */
export function apnsOutcome (scripted: ScriptedAnswer | undefined): ApnsOutcome {
  if (scripted === undefined) return fixed.success
  if (typeof scripted === 'string') return fixed[scripted]
  if (scripted.kind === 'slow') return { kind: 'respond', status: 200, delayMs: scripted.delayMs }
  if (scripted.kind === 'refused') return { kind: 'respond', status: scripted.status, reason: scripted.text }
  const headers: Record<string, string> = scripted.retryAfterSeconds === undefined ? {} : { 'retry-after': String(scripted.retryAfterSeconds) }
  return { kind: 'respond', status: 429, reason: 'TooManyRequests', headers }
}
