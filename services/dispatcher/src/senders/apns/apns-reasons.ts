/**
 * Every reason Apple documents for a refused notification ("Handling notification responses from
 * APNs"), and the APNs sender's own codes: the known set the `reason` label of the send metrics
 * keeps (anything else is `other`).
 */
export const APNS_REASONS: readonly string[] = [
  // 400
  'BadCollapseId', 'BadDeviceToken', 'BadExpirationDate', 'BadMessageId', 'BadPriority', 'BadTopic',
  'DeviceTokenNotForTopic', 'DuplicateHeaders', 'IdleTimeout', 'InvalidPushType', 'MissingDeviceToken',
  'MissingTopic', 'PayloadEmpty', 'TopicDisallowed',
  // 403
  'BadCertificate', 'BadCertificateEnvironment', 'ExpiredProviderToken', 'Forbidden', 'InvalidProviderToken',
  'MissingProviderToken', 'UnrelatedKeyIdInToken', 'BadEnvironmentKeyIdInToken',
  // 404, 405, 410, 413, 429, 500, 503
  'BadPath', 'MethodNotAllowed', 'ExpiredToken', 'Unregistered', 'PayloadTooLarge', 'TooManyProviderTokenUpdates',
  'TooManyRequests', 'InternalServerError', 'ServiceUnavailable', 'Shutdown',
  // The sender's own: no answer at all (apns-outcome.ts, apns-sender.ts), a notification that cannot
  // be built (apns-notification.ts), an application without APNs (apns-sender.ts).
  'ConnectionError', 'NoAnswer', 'InvalidExtras', 'ApnsNotConfigured'
]
