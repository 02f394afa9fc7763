import type { Message } from 'firebase-admin/messaging'
import type { Notification } from '../sender.js'

/** FCM refuses messages whose payload (data and notification) exceeds 4 KB. */
export const FCM_MAX_PAYLOAD_BYTES = 4096
/** FCM keeps a message at most four weeks; a longer ttl is refused as INVALID_ARGUMENT. */
export const FCM_MAX_TTL_MS = 28 * 24 * 3600 * 1000

export type BuiltFcmMessage = { ok: true, forToken: (token: string) => Message } | { ok: false, reason: string }

/** FCM data values must be strings: strings stay as they are, anything else is JSON. */
export function toDataValues (extras: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(extras).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]))
}

/**
 * The FCM HTTP v1 message for a command, built once (the token is the only per-device part).
 * `ttl` is the time left until validUntil, at most FCM's four weeks (firebase-admin takes
 * milliseconds and sends "Ns");
 * silent messages carry no notification block, only data.
 */
export function buildFcmMessage (command: Notification, now = Date.now()): BuiltFcmMessage {
  const { body } = command
  const data = toDataValues(body.extras ?? {})
  const android: NonNullable<Message['android']> = { priority: command.priority === 'NORMAL' ? 'normal' : 'high' }
  if (body.collapseKey !== undefined) android.collapseKey = body.collapseKey
  if (body.validUntil !== undefined) android.ttl = Math.min(Math.max(new Date(body.validUntil).getTime() - now, 0), FCM_MAX_TTL_MS)
  if (!command.silent) {
    const notification: Record<string, unknown> = {
      title: body.title,
      body: body.body,
      titleLocKey: body.titleLocKey,
      titleLocArgs: body.titleLocArgs,
      bodyLocKey: body.bodyLocKey,
      bodyLocArgs: body.bodyLocArgs,
      sound: body.sound,
      tag: body.category,
      icon: body.icon,
      notificationCount: body.badge
    }
    android.notification = Object.fromEntries(Object.entries(notification).filter(([, value]) => value !== undefined))
  }
  const base = { android, ...(Object.keys(data).length === 0 ? {} : { data }) }
  const size = Buffer.byteLength(JSON.stringify({ data: base.data ?? {}, notification: android.notification ?? {} }))
  if (size > FCM_MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: `PayloadTooLarge: the FCM payload is ${size} bytes, the limit is ${FCM_MAX_PAYLOAD_BYTES}` }
  }
  return { ok: true, forToken: (token) => ({ ...base, token }) }
}
