import type { SendCommand } from '@beacon/contracts'
import type { ApplicationCredentials } from '../credentials.js'
import type { DeviceTarget } from '../delivery/claims/resolve-devices.js'

/**
 * Why a send failed: `reason` is a stable code in our words (an APNs reason token such as
 * `BadDeviceToken`, a firebase-admin code name such as `registration-token-not-registered`,
 * `ConnectionError`, `HTTP 500`, …), the only thing API clients and developers ever see;
 * `detail` is the provider's or library's own text, for the log only.
 */
export interface FailureReason { reason: string, detail?: string }

/** What a provider said about one device, in the terms the dispatcher acts on. */
export type SendOutcome =
  | { kind: 'sent' }
  /** The token is dead (APNs 410/BadDeviceToken/DeviceTokenNotForTopic, FCM UNREGISTERED…): delete the registration. */
  | { kind: 'invalid-token' } & FailureReason
  /** The application's credentials were refused: nothing to do per device; never delete devices. */
  | { kind: 'credentials' } & FailureReason
  /** Worth another try later (429, 5xx, connection trouble); `retryAfterMs` from the provider when it said. */
  | { kind: 'retry', retryAfterMs?: number } & FailureReason
  /** This message cannot be delivered to this device as it is (payload, topic, collapse id…). */
  | { kind: 'rejected' } & FailureReason

/** What is sent: the same for a message and for a campaign. */
export type Notification = Pick<SendCommand, 'silent' | 'priority' | 'body'>

/** A message made ready for one platform: the payload is built once, sent to many devices. */
export interface PreparedSend {
  send (targets: DeviceTarget[]): Promise<SendOutcome[]>
}

export type Preparation = { ok: true, prepared: PreparedSend } | { ok: false, reason: string }

export interface PlatformSender {
  /** Builds the provider payload for this command, or says why it cannot be sent at all. */
  prepare (credentials: ApplicationCredentials, notification: Notification): Preparation
  /** Ends the provider connections (HTTP/2 sessions, agents). */
  close (): Promise<void>
}
