import type { DeliveryStatus, ProviderPlatform } from '@beacon/contracts'
import { counter } from '@beacon/metrics'
import { reasonLabel } from './send-reasons.js'

const sends = counter({
  name: 'beacon_sends_total',
  help: 'Device results the dispatcher produced, by provider, outcome (the result status: sent, failed, expired) and reason (the sender\'s code, none when sent, other when not one the sender knows)',
  labelNames: ['provider', 'outcome', 'reason'] as const
})

export const PROVIDER_LABEL: Record<ProviderPlatform, 'apns' | 'fcm'> = { APNS: 'apns', FCM: 'fcm' }
const OUTCOME_LABEL: Record<DeliveryStatus, string> = { SENT: 'sent', FAILED: 'failed', EXPIRED: 'expired' }

// Thousands a second: the sent series is bound once, the others on first use (a bounded set).
type Child = ReturnType<typeof sends.labels>
const sent: Record<ProviderPlatform, Child> = { APNS: sends.labels('apns', 'sent', 'none'), FCM: sends.labels('fcm', 'sent', 'none') }
const others = new Map<string, Child>()

/** Counts one device result: its status and, for a failure, the reason it carries. */
export function countSend (platform: ProviderPlatform, status: DeliveryStatus, reason?: string): void {
  if (status === 'SENT') {
    sent[platform].inc()
    return
  }
  const label = reasonLabel(platform, reason)
  const key = `${platform} ${status} ${label}`
  let child = others.get(key)
  if (child === undefined) others.set(key, child = sends.labels(PROVIDER_LABEL[platform], OUTCOME_LABEL[status], label))
  child.inc()
}
