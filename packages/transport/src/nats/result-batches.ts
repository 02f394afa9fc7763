import { createHash } from 'node:crypto'
import { MAX_RESULTS_PER_BATCH, type DeviceResult, type NatsNames } from '@beacon/contracts'

export interface ResultBatch {
  subject: string
  results: DeviceResult[]
  /** JetStream de-duplication id: the same devices' results of the same source, published again, are dropped. */
  msgID: string
}

/**
 * Splits results into NATS messages of one source (message or campaign) and at most
 * MAX_RESULTS_PER_BATCH devices. The id is derived from the source and its device ids, never from
 * a position: a redelivered command reports other devices and must not be taken for a repeat.
 * Results published again in other groupings reach the recorder twice, which only ever records a
 * device's first outcome.
 */
export function resultBatches (names: NatsNames, results: DeviceResult[]): ResultBatch[] {
  const bySource = new Map<string, DeviceResult[]>()
  const seen = new Set<string>()
  for (const result of results) {
    const key = 'messageId' in result ? `m:${result.messageId}` : `c:${result.campaignId}`
    // One result per device and source: the first one stands, as JetStream's per-device ids did.
    const device = `${key}:${result.deviceId}`
    if (seen.has(device)) continue
    seen.add(device)
    const list = bySource.get(key)
    if (list === undefined) bySource.set(key, [result])
    else list.push(result)
  }
  const batches: ResultBatch[] = []
  for (const [key, list] of bySource) {
    const first = list[0]!
    const subject = 'messageId' in first ? names.deviceResultSubject(first.messageId) : names.campaignResultSubject(first.campaignId)
    for (let start = 0; start < list.length; start += MAX_RESULTS_PER_BATCH) {
      const slice = list.slice(start, start + MAX_RESULTS_PER_BATCH)
      const devices = createHash('sha256').update(slice.map((result) => result.deviceId).join(',')).digest('base64url').slice(0, 22)
      batches.push({ subject, results: slice, msgID: `${key}:${devices}` })
    }
  }
  return batches
}
