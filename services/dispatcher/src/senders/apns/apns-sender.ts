import type { DeviceTarget } from '../../delivery/claims/resolve-devices.js'
import { apnsRequests } from '../../metrics/provider-requests.js'
import { createLimiter, mapThrough, type Limiter } from '../limiter.js'
import type { PlatformSender, SendOutcome } from '../sender.js'
import { buildApnsNotification } from './apns-notification.js'
import { apnsOutcome, type ApnsFailure } from './apns-outcome.js'
import { createApnsProviderPool, type ApnsEndpoint } from './apns-providers.js'

/** APNs through @parse/node-apn with token (.p8) authentication. */
export function createApnsSender (endpoint: ApnsEndpoint & { maxStreams: number }): PlatformSender {
  const pool = createApnsProviderPool(endpoint)
  // Requests in flight per provider (one HTTP/2 session), whatever the number of commands.
  const limiters = new Map<string, Limiter>()
  const limiterOf = (key: string) => {
    let limiter = limiters.get(key)
    if (limiter === undefined) limiters.set(key, limiter = createLimiter(endpoint.maxStreams))
    return limiter
  }
  return {
    prepare (credentials, command) {
      const apns = credentials.apns
      if (apns === null) return { ok: false, reason: `ApnsNotConfigured: application ${credentials.appId} has no APNs configuration` }
      const built = buildApnsNotification(command, apns.bundle)
      if (!built.ok) return built
      return {
        ok: true,
        prepared: {
          async send (targets: DeviceTarget[]): Promise<SendOutcome[]> {
            const outcomes = new Map<string, SendOutcome>()
            // Devices without an environment of their own use the application's.
            const isProduction = (t: DeviceTarget) => (t.environment === null ? apns.production : t.environment === 'PRODUCTION')
            for (const production of [true, false]) {
              // The send loop hands devices over one at a time: no filtered copy for one device.
              const group = targets.length === 1 ? (isProduction(targets[0]!) === production ? targets : []) : targets.filter((t) => isProduction(t) === production)
              if (group.length === 0) continue
              const { provider, health } = pool.get(credentials.id, credentials.version, apns, production)
              const limit = limiterOf(`${credentials.id}:${production}`)
              await mapThrough(group, limit, async (target) => {
                const started = apnsRequests.start()
                const result = await provider.send(built.notification, target.token)
                const failed = result.failed[0] as ApnsFailure | undefined
                apnsRequests.end(started, failed === undefined)
                outcomes.set(target.token, failed === undefined ? { kind: 'sent' } : apnsOutcome(failed))
                // No answer at all (timeout, reset): is the session itself dead? Decided before this
                // send returns, so the retry goes over a live connection (one check for all such requests).
                if (failed !== undefined && failed.status === undefined) await health.check()
              })
            }
            return targets.map((t) => outcomes.get(t.token) ?? { kind: 'retry', reason: 'NoAnswer' })
          }
        }
      }
    },
    close: () => pool.close()
  }
}
