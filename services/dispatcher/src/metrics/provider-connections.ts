import type { EventEmitter } from 'node:events'
import { counter, gauge } from '@beacon/metrics'

const opened = counter({
  name: 'beacon_provider_connections_opened_total',
  help: 'HTTP/2 connections to APNs and FCM the dispatcher opened, by provider (APNs: counted at the first request over it)',
  labelNames: ['provider'] as const
})

const open = gauge({
  name: 'beacon_provider_connections',
  help: 'HTTP/2 connections to APNs and FCM open now, by provider',
  labelNames: ['provider'] as const
})

/**
 * Counts a provider connection and keeps it in the open gauge until it closes. A steady rise of
 * the opened counter against a flat gauge is connections failing and being replaced (GOAWAY,
 * resets, the PINGs of apns-session-health.ts and fcm-sessions.ts going unanswered).
 */
export function countConnection (provider: 'apns' | 'fcm', session: EventEmitter & { destroyed: boolean }): void {
  opened.labels(provider).inc()
  // Already destroyed, its 'close' may have been emitted: it is not open.
  if (session.destroyed) return
  const gauge = open.labels(provider)
  gauge.inc()
  session.once('close', () => { gauge.dec() })
}
