import apn from '@parse/node-apn'
import type { Notification } from '../sender.js'

/** APNs refuses larger payloads (4 KB for regular and background notifications). */
export const APNS_MAX_PAYLOAD_BYTES = 4096
const MAX_COLLAPSE_ID_BYTES = 64

export type BuiltNotification = { ok: true, notification: apn.Notification } | { ok: false, reason: string }

/**
 * The APNs notification for a command. Silent messages are background pushes (content-available,
 * push type `background`, priority 5, no alert or sound); others are alerts at priority 10 (HIGH)
 * or 5 (NORMAL). Extras become top-level keys beside `aps`.
 */
export function buildApnsNotification (command: Notification, topic: string): BuiltNotification {
  const { body } = command
  const extras = body.extras ?? {}
  if ('aps' in extras) return { ok: false, reason: 'InvalidExtras: extras may not contain the key "aps"' }
  const collapseId = body.collapseKey
  if (collapseId !== undefined && Buffer.byteLength(collapseId) > MAX_COLLAPSE_ID_BYTES) {
    return { ok: false, reason: `BadCollapseId: collapseKey is longer than ${MAX_COLLAPSE_ID_BYTES} bytes` }
  }

  const notification = new apn.Notification()
  notification.topic = topic
  notification.payload = { ...extras }
  if (body.badge !== undefined) notification.badge = body.badge
  if (command.silent) {
    notification.contentAvailable = true
    notification.pushType = 'background'
    notification.priority = 5
  } else {
    notification.pushType = 'alert'
    notification.priority = command.priority === 'NORMAL' ? 5 : 10
    notification.alert = alert(body)
    if (body.sound !== undefined) notification.sound = body.sound
    if (body.category !== undefined) notification.aps.category = body.category
  }
  if (collapseId !== undefined) {
    notification.collapseId = collapseId
    notification.threadId = collapseId
  }
  if (body.validUntil !== undefined) notification.expiry = Math.floor(new Date(body.validUntil).getTime() / 1000)

  // compile() is final and cached: the provider sends this very string to every device.
  const size = Buffer.byteLength((notification as unknown as { compile (): string }).compile())
  if (size > APNS_MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: `PayloadTooLarge: the APNs payload is ${size} bytes, the limit is ${APNS_MAX_PAYLOAD_BYTES}` }
  }
  return { ok: true, notification }
}

function alert (body: Notification['body']): apn.NotificationAlertOptions {
  const fields: Record<string, unknown> = {
    title: body.title,
    body: body.body,
    'title-loc-key': body.titleLocKey,
    'title-loc-args': body.titleLocArgs,
    'loc-key': body.bodyLocKey,
    'loc-args': body.bodyLocArgs
  }
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as unknown as apn.NotificationAlertOptions
}
