import { headers, type MsgHdrs } from '@nats-io/transport-node'

/**
 * A command handed back at a stop goes to the queue again as a new message (handBack in
 * nats-transport.ts): JetStream counts every redelivery of one message, a nak included, toward the
 * consumer's max_deliver, and a stop is not a failure. The copy carries the deliveries its command
 * had spent before the one handed back, which its own deliveries add to.
 */
export const DELIVERIES_SPENT_HEADER = 'Beacon-Deliveries-Spent'

// A count of up to four digits, as handedBackCopy writes it (capped: copies of copies add up).
const MAX_SPENT = 9999
const SPENT = /^(0|[1-9][0-9]{0,3})$/

/**
 * For a copy handed back, the deliveries its command spent before: `unreadable` when the header
 * is not such a count (not written by handedBackCopy), undefined for the command as published.
 */
export function deliveriesSpent (messageHeaders: MsgHdrs | undefined): number | 'unreadable' | undefined {
  if (messageHeaders?.has(DELIVERIES_SPENT_HEADER) !== true) return undefined
  const spent = messageHeaders.get(DELIVERIES_SPENT_HEADER)
  return SPENT.test(spent) ? Number(spent) : 'unreadable'
}

/**
 * The headers and message id of the copy of the delivery numbered `deliveryCount` (as
 * deliveriesSpent counts) of the stream's message `seq` as delivered `messageDeliveries` times.
 */
export function handedBackCopy (key: string, seq: number, messageDeliveries: number, deliveryCount: number): { headers: MsgHdrs, msgID: string } {
  const copy = headers()
  // The delivery handed back is not spent: the copy's first delivery has its number again.
  copy.set(DELIVERIES_SPENT_HEADER, String(Math.min(deliveryCount - 1, MAX_SPENT)))
  // An id of its own (the command's is still within the stream's duplicate window, which would drop
  // the copy as a repeat of the original), the same for every try of one hand-back: a publish tried
  // again after its answer was lost queues no second copy. The tries of one hand-back end with the
  // dispatcher's stop, at most SHUTDOWN_TIMEOUT_MS (≤ 600 s), within the window (topology.ts).
  return { headers: copy, msgID: `${key}:handed-back:${seq}:${messageDeliveries}` }
}
