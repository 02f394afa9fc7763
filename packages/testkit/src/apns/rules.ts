import type { IncomingHttpHeaders } from 'node:http2'
import type { ApnsAuthResult } from './auth.js'

/** An APNs error answer: Apple's status code and `reason`. */
export interface ApnsRejection { status: number, reason: string }

/**
 * Push types APNs accepts and the suffix each needs on the bundle id in `apns-topic`
 * ("Sending notification requests to APNs", apns-push-type).
 */
const topicSuffixByPushType: Record<string, string> = {
  alert: '',
  background: '',
  mdm: '',
  voip: '.voip',
  complication: '.complication',
  fileprovider: '.pushkit.fileprovider',
  liveactivity: '.push-type.liveactivity',
  location: '.location-query',
  pushtotalk: '.voip-ptt',
  widgets: '.push-type.widgets'
}

const priorities = new Set(['1', '5', '10'])
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** Device tokens are hex; today 32 bytes, Apple says they may grow, so up to 100 bytes. */
const deviceToken = /^(?:[0-9a-f]{2}){32,100}$/i

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : value
}

/** The `apns-*` request headers, checked in the order their reasons are documented. */
export function checkApnsHeaders (headers: IncomingHttpHeaders, teamBundles: ReadonlySet<string>): ApnsRejection | null {
  const topic = header(headers, 'apns-topic')
  if (topic === undefined || topic === '') return { status: 400, reason: 'MissingTopic' }
  if (!/^[A-Za-z0-9.-]+$/.test(topic)) return { status: 400, reason: 'BadTopic' }
  const pushType = header(headers, 'apns-push-type') ?? 'alert'
  const suffix = topicSuffixByPushType[pushType]
  if (suffix === undefined) return { status: 400, reason: 'InvalidPushType' }
  if (!topic.endsWith(suffix) || !teamBundles.has(topic.slice(0, topic.length - suffix.length))) {
    return { status: 400, reason: 'TopicDisallowed' }
  }
  const priority = header(headers, 'apns-priority') ?? '10'
  // Apple: background notifications must be sent with priority 5; 10 is an error.
  if (!priorities.has(priority) || (pushType === 'background' && priority !== '5')) return { status: 400, reason: 'BadPriority' }
  const expiration = header(headers, 'apns-expiration')
  if (expiration !== undefined && !/^\d{1,12}$/.test(expiration)) return { status: 400, reason: 'BadExpirationDate' }
  const collapseId = header(headers, 'apns-collapse-id')
  if (collapseId !== undefined && Buffer.byteLength(collapseId) > 64) return { status: 400, reason: 'BadCollapseId' }
  const apnsId = header(headers, 'apns-id')
  if (apnsId !== undefined && !uuid.test(apnsId)) return { status: 400, reason: 'BadMessageId' }
  return null
}

export const isDeviceToken = (token: string) => deviceToken.test(token)

/** The bundle a topic addresses (the topic without its push-type suffix). */
export function bundleOfTopic (topic: string): string {
  for (const suffix of Object.values(topicSuffixByPushType)) {
    if (suffix !== '' && topic.endsWith(suffix)) return topic.slice(0, topic.length - suffix.length)
  }
  return topic
}

/** Apple's payload limits: 4 KB, 5 KB for VoIP. */
export const payloadLimit = (headers: IncomingHttpHeaders) => header(headers, 'apns-push-type') === 'voip' ? 5120 : 4096

/**
 * The payload must be a JSON dictionary with an `aps` dictionary. Apple documents no reason
 * for a body that is not JSON; the mock answers 400 BadPayload so tests can tell it apart.
 */
export function parseApnsPayload (body: Buffer): { payload: unknown, rejection: ApnsRejection | null } {
  if (body.length === 0) return { payload: undefined, rejection: { status: 400, reason: 'PayloadEmpty' } }
  let payload: unknown
  try {
    payload = JSON.parse(body.toString('utf8'))
  } catch {
    return { payload: undefined, rejection: { status: 400, reason: 'BadPayload' } }
  }
  const aps = (payload as { aps?: unknown } | null)?.aps
  const valid = typeof payload === 'object' && payload !== null && !Array.isArray(payload) &&
    typeof aps === 'object' && aps !== null && !Array.isArray(aps)
  return { payload, rejection: valid ? null : { status: 400, reason: 'BadPayload' } }
}

export interface ApnsRequestFacts {
  /** The device token from the path. */
  token: string
  headers: IncomingHttpHeaders
  body: Buffer
  /** The body went over the limit (and was not kept). */
  tooLarge: boolean
  auth: ApnsAuthResult
  /** Bundles of the team that signed the provider token. */
  teamBundles: ReadonlySet<string>
  /** The bundle the device token was registered for, if the test registered it. */
  deviceBundle: string | undefined
}

/** Every rule for `POST /3/device/<token>`: the first that fails decides the answer. */
export function checkApnsRequest (facts: ApnsRequestFacts): { payload: unknown, rejection: ApnsRejection | null } {
  const reject = (status: number, reason: string) => ({ payload: undefined, rejection: { status, reason } })
  if (facts.token === '') return reject(400, 'MissingDeviceToken')
  if (!facts.auth.ok) return reject(403, facts.auth.reason)
  const headerRejection = checkApnsHeaders(facts.headers, facts.teamBundles)
  if (headerRejection !== null) return { payload: undefined, rejection: headerRejection }
  if (!isDeviceToken(facts.token)) return reject(400, 'BadDeviceToken')
  if (facts.deviceBundle !== undefined && facts.deviceBundle !== bundleOfTopic(String(facts.headers['apns-topic']))) {
    return reject(400, 'DeviceTokenNotForTopic')
  }
  if (facts.tooLarge) return reject(413, 'PayloadTooLarge')
  return parseApnsPayload(facts.body)
}
