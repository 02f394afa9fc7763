interface Counts { sent: number, pending: number, failed: number, total: number }
/** A message as `/admin/console/message/list` (and `/push/message/{id}/detail`) answers it. */
export interface MessageDetail {
  id: string
  appId: string | number
  userId: string
  activationId: string | null
  completed: boolean
  failureReason: string | null
  timestampCreated: string
  timestampCompleted: string | null
  result: { ios: Counts, android: Counts }
}

export const messageState = (message: MessageDetail) =>
  message.failureReason !== null
    ? <span class='status-FAILED'>Failed: {message.failureReason}</span>
    : message.completed ? <span class='status-ok'>Completed</span> : <span class='status-PENDING'>Sending</span>

/** "2 sent · 1 failed · 0 pending of 3" for one platform; a dash when it had no device. */
export const countsOf = ({ sent, failed, pending, total }: Counts) =>
  total === 0 ? <span class='muted'>—</span> : <>{sent} sent · {failed} failed · {pending} pending <span class='muted'>of {total}</span></>
