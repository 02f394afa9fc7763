import { appIdAnswer, type MessageDetail, type SendResult } from '@beacon/contracts'
/** What a message's detail shows of its row. */
export interface MessageFields {
  id: string
  userId: string
  activationId: string | null
  failureReason: string | null
  createdAt: Date
  completedAt: Date | null
}

/** A message as its detail shows it (`GET /push/message/{id}/detail`, the console's message list). */
export function messageDetail (message: MessageFields, appId: string, result: SendResult): MessageDetail {
  return {
    id: message.id,
    appId: appIdAnswer(appId),
    userId: message.userId,
    activationId: message.activationId,
    completed: message.completedAt !== null,
    failureReason: message.failureReason,
    timestampCreated: message.createdAt.toISOString(),
    timestampCompleted: message.completedAt?.toISOString() ?? null,
    result
  }
}
