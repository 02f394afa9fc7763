import { randomUUID } from 'node:crypto'
import { headers, type MsgHdrs } from '@nats-io/transport-node'

/**
 * A command handed back at a stop goes to the queue again as a new message (handBack in
 * nats-transport.ts): JetStream counts every redelivery of one message, a nak included, toward the
 * consumer's max_deliver, and a stop is not a failure. The copy carries the deliveries its command
 * had spent before the one handed back, which its own deliveries add to.
 */
export const DELIVERIES_SPENT_HEADER = 'Beacon-Deliveries-Spent'

/** The deliveries a copy's command spent before it was handed back: 0 for a command as published (or a header that does not read as a count). */
export function deliveriesSpent (messageHeaders: MsgHdrs | undefined): number {
  const spent = Number(messageHeaders?.get(DELIVERIES_SPENT_HEADER) ?? '0')
  return Number.isSafeInteger(spent) && spent >= 0 ? spent : 0
}

/** The headers and message id of the copy of a delivery numbered `deliveryCount` (counted as deliveriesSpent does). */
export function handedBackCopy (key: string, deliveryCount: number): { headers: MsgHdrs, msgID: string } {
  const copy = headers()
  // The delivery handed back is not spent: the copy's first delivery has its number again.
  copy.set(DELIVERIES_SPENT_HEADER, String(deliveryCount - 1))
  // An id of its own: the command's id is still within the stream's duplicate window, which
  // would drop the copy as a repeat of the original.
  return { headers: copy, msgID: `${key}:handed-back:${randomUUID()}` }
}
