import { headers, type MsgHdrs } from '@nats-io/transport-node'

/**
 * A command handed back at a stop goes to the queue again as a new message (handBack in
 * nats-transport.ts): JetStream counts every redelivery of one message, a nak included, toward the
 * consumer's max_deliver, and a stop is not a failure. The copy carries the deliveries its command
 * had spent before the one handed back, which its own deliveries add to.
 */
export const DELIVERIES_SPENT_HEADER = 'Beacon-Deliveries-Spent'

// COMMAND_MAX_DELIVER is at most 1000: a count of up to four digits, written as handedBackCopy does.
const SPENT = /^(0|[1-9][0-9]{0,3})$/

/**
 * The deliveries a copy's command spent before it was handed back, or undefined for a message
 * that is no such copy (the command as published, or a header that is not such a count).
 */
export function deliveriesSpent (messageHeaders: MsgHdrs | undefined): number | undefined {
  const spent = messageHeaders?.get(DELIVERIES_SPENT_HEADER)
  return spent !== undefined && SPENT.test(spent) ? Number(spent) : undefined
}

/**
 * The headers and message id of the copy of the delivery numbered `deliveryCount` (as
 * deliveriesSpent counts) of the stream's message `seq` as delivered `messageDeliveries` times.
 */
export function handedBackCopy (key: string, seq: number, messageDeliveries: number, deliveryCount: number): { headers: MsgHdrs, msgID: string } {
  const copy = headers()
  // The delivery handed back is not spent: the copy's first delivery has its number again.
  copy.set(DELIVERIES_SPENT_HEADER, String(deliveryCount - 1))
  // An id of its own (the command's is still within the stream's duplicate window, which would drop
  // the copy as a repeat of the original), the same for every try of one hand-back: a publish tried
  // again after its answer was lost queues no second copy.
  return { headers: copy, msgID: `${key}:handed-back:${seq}:${messageDeliveries}` }
}
