import type { CallbackBody, MessageSummary } from '@beacon/contracts'
import type { Db } from '@beacon/db'

export interface PushCallback { developerId: number, body: CallbackBody }

const sentCount = (summary: MessageSummary) => summary.ios.sent + summary.android.sent
const deviceCount = (summary: MessageSummary) => summary.ios.total + summary.android.total

/**
 * The push.sent / push.failed callbacks due for finished messages that are the push fallback of
 * an in-app message of the signed API. Deterministic per summary (eventId, timestamp = when the
 * message completed), so a redelivered batch emits the same callbacks and the queue drops them.
 */
export async function pushOutcomeCallbacks (db: Db, summaries: MessageSummary[]): Promise<PushCallback[]> {
  if (summaries.length === 0) return []
  const inApp = await db.inboxMessage.findMany({
    where: { pushMessageId: { in: summaries.map((s) => s.messageId) }, developerId: { not: null } },
    select: {
      id: true,
      userId: true,
      developerId: true,
      pushMessageId: true,
      applications: { select: { application: { select: { carrierDomain: true } } }, take: 1 }
    }
  })
  if (inApp.length === 0) return []
  const messages = await db.message.findMany({
    where: { id: { in: inApp.map((m) => m.pushMessageId ?? '') } },
    select: {
      id: true,
      completedAt: true,
      failureReason: true,
      deliveries: { where: { status: { not: 'SENT' } }, select: { reason: true, status: true } }
    }
  })
  const messageById = new Map(messages.map((m) => [m.id, m]))
  const summaryById = new Map(summaries.map((s) => [s.messageId, s]))

  const callbacks: PushCallback[] = []
  for (const inbox of inApp) {
    const summary = summaryById.get(inbox.pushMessageId ?? '')
    const message = messageById.get(inbox.pushMessageId ?? '')
    if (summary === undefined || message === undefined || inbox.developerId === null) continue
    const sent = sentCount(summary) > 0
    const event = sent ? 'push.sent' : 'push.failed'
    const carrier = inbox.applications[0]?.application.carrierDomain ?? ''
    const body: CallbackBody = {
      eventId: `${inbox.id}:${event}`,
      event,
      requestId: inbox.id,
      to: `${inbox.userId}@${carrier}`,
      timestamp: (message.completedAt ?? new Date()).toISOString()
    }
    if (!sent) body.reason = failureReason(summary, message)
    callbacks.push({ developerId: inbox.developerId, body })
  }
  return callbacks
}

/** The whole message's reason first, else its devices' reasons (each once), else why there were none. */
function failureReason (
  summary: MessageSummary,
  message: { failureReason: string | null, deliveries: Array<{ reason: string | null, status: string }> }
): string {
  const whole = summary.reason ?? message.failureReason
  if (whole != null) return whole
  if (deviceCount(summary) === 0) return 'NoDevices'
  const reasons = [...new Set(message.deliveries.map((d) => d.reason ?? d.status))].sort()
  return reasons.length > 0 ? reasons.join(', ') : 'Failed'
}
