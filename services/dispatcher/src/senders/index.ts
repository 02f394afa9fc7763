// The dispatcher's provider senders on their own, for the benchmark that measures them without
// the queue and the database (bench: "senders alone"). The service itself imports them directly.
export { createApnsSender } from './apns/apns-sender.js'
export { createFcmSender, type FcmEndpoint } from './fcm/fcm-sender.js'
export type { Notification, PlatformSender, SendOutcome } from './sender.js'
export type { ApplicationCredentials } from '../credentials.js'
export type { DeviceTarget } from '../delivery/claims/resolve-devices.js'
