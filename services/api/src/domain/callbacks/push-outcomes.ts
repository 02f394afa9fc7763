import type { CallbackBody } from '@beacon/contracts'
import type { Db } from '@beacon/db'

export interface PushCallback { developerId: number, body: CallbackBody }

/**
 * The push.sent / push.failed callbacks due for complete messages that are the push fallback of
 * an in-app message of the signed API, from their recorded outcomes: sent if any device got it.
 * Deterministic per message (eventId, timestamp = when the message completed), so a redelivered
 * batch emits the same callbacks and the queue drops them.
 */
export async function pushOutcomeCallbacks (db: Db, messageIds: string[]): Promise<PushCallback[]> {
  if (messageIds.length === 0) return []
  const inApp = await db.inboxMessage.findMany({
    where: { pushMessageId: { in: messageIds }, developerId: { not: null } },
    select: {
      id: true,
      userId: true,
      developerId: true,
      pushMessageId: true,
      applications: { select: { application: { select: { carrierDomain: true } } }, orderBy: { applicationId: 'asc' }, take: 1 }
    }
  })
  if (inApp.length === 0) return []
  const messages = await db.message.findMany({
    where: { id: { in: inApp.map((m) => m.pushMessageId ?? '') }, completedAt: { not: null } },
    select: {
      id: true,
      completedAt: true,
      failureReason: true,
      deliveries: { select: { reason: true, status: true } }
    }
  })
  const messageById = new Map(messages.map((m) => [m.id, m]))

  const callbacks: PushCallback[] = []
  for (const inbox of inApp) {
    const message = messageById.get(inbox.pushMessageId ?? '')
    if (message === undefined || inbox.developerId === null) continue
    const sent = message.deliveries.some((d) => d.status === 'SENT')
    const event = sent ? 'push.sent' : 'push.failed'
    const carrier = inbox.applications[0]?.application.carrierDomain ?? ''
    const body: CallbackBody = {
      eventId: `${inbox.id}:${event}`,
      event,
      requestId: inbox.id,
      to: `${inbox.userId}@${carrier}`,
      timestamp: (message.completedAt ?? new Date()).toISOString()
    }
    if (!sent) body.reason = failureReason(message)
    callbacks.push({ developerId: inbox.developerId, body })
  }
  return callbacks
}

/** The whole message's reason first, else its devices' reasons (each once), else why there were none. */
function failureReason (message: { failureReason: string | null, deliveries: Array<{ reason: string | null, status: string }> }): string {
  if (message.failureReason !== null) return message.failureReason
  if (message.deliveries.length === 0) return 'NoDevices'
  const reasons = [...new Set(message.deliveries.map((d) => d.reason ?? d.status))].sort()
  return reasons.length > 0 ? reasons.join(', ') : 'Failed'
}
