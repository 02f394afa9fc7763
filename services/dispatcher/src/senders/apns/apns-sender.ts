import type { DeviceTarget } from '../../delivery/claims/resolve-devices.js'
import { apnsRequests } from '../../metrics/provider-requests.js'
import { createLimiter, mapThrough, type Limiter } from '../limiter.js'
import type { PlatformSender, SendOutcome } from '../sender.js'
import { buildApnsNotification, type BuiltNotification } from './apns-notification.js'
import { apnsOutcome, type ApnsFailure } from './apns-outcome.js'
import { createApnsProviderPool, type ApnsConnection, type ApnsEndpoint } from './apns-providers.js'
import { installSharedAsyncResourceBind } from '../async-resource-bind.js'

type ApnsPayload = Extract<BuiltNotification, { ok: true }>['notification']

/** APNs through @parse/node-apn with token (.p8) authentication. */
export function createApnsSender (endpoint: ApnsEndpoint & { maxStreams: number }): PlatformSender {
  // Each request is an HTTP/2 stream: Node's per-stream bind without its deprecation wrappers.
  installSharedAsyncResourceBind()
  const pool = createApnsProviderPool(endpoint)
  // Requests in flight per provider (one HTTP/2 session), whatever the number of commands.
  const limiters = new Map<string, Limiter>()
  const limiterOf = (key: string) => {
    let limiter = limiters.get(key)
    if (limiter === undefined) limiters.set(key, limiter = createLimiter(endpoint.maxStreams))
    return limiter
  }
  // One function for every request, not a closure per command: V8 keeps optimised code only while
  // a closure that runs it lives (see send-with-retries.ts).
  const request = async (notification: ApnsPayload, { provider, health }: ApnsConnection, target: DeviceTarget): Promise<SendOutcome> => {
    const started = apnsRequests.start()
    const result = await provider.send(notification, target.token)
    const failed = result.failed[0] as ApnsFailure | undefined
    apnsRequests.end(started, failed === undefined)
    if (failed === undefined) return { kind: 'sent' }
    // No answer at all (timeout, reset): is the session itself dead? Decided before this
    // send returns, so the retry goes over a live connection (one check for all such requests).
    if (failed.status === undefined) await health.check()
    return apnsOutcome(failed)
  }
  return {
    prepare (credentials, command) {
      const apns = credentials.apns
      if (apns === null) return { ok: false, reason: `ApnsNotConfigured: application ${credentials.appId} has no APNs configuration` }
      const built = buildApnsNotification(command, apns.bundle)
      if (!built.ok) return built
      const { notification } = built
      // Devices without an environment of their own use the application's.
      const connectionOf = (production: boolean) => ({ ...pool.get(credentials.id, credentials.version, apns, production), limit: limiterOf(`${credentials.id}:${production}`) })
      const isProduction = (target: DeviceTarget) => (target.environment === null ? apns.production : target.environment === 'PRODUCTION')
      return {
        ok: true,
        prepared: {
          async send (targets: DeviceTarget[]): Promise<SendOutcome[]> {
            // The send loop hands devices over one at a time (each its own request): straight through.
            if (targets.length === 1) {
              const connection = connectionOf(isProduction(targets[0]!))
              return [await connection.limit(() => request(notification, connection, targets[0]!))]
            }
            const outcomes = new Map<DeviceTarget, SendOutcome>()
            for (const production of [true, false]) {
              const group = targets.filter((target) => isProduction(target) === production)
              if (group.length === 0) continue
              const connection = connectionOf(production)
              const answers = await mapThrough(group, connection.limit, (target) => request(notification, connection, target))
              group.forEach((target, i) => outcomes.set(target, answers[i]!))
            }
            return targets.map((target) => outcomes.get(target) ?? { kind: 'retry', reason: 'NoAnswer' })
          }
        }
      }
    },
    close: () => pool.close()
  }
}
