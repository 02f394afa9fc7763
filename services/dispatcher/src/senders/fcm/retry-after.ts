/**
 * firebase-admin reports FCM errors without their response headers. The transport
 * (firebase-http2-transport.ts) notes each Retry-After by the registration token of the request it
 * answered; the sender takes it when that send fails.
 */
export class RetryAfterByToken {
  private readonly seconds = new Map<string, number>()
  note (token: string, seconds: number): void { this.seconds.set(token, seconds) }
  /** The Retry-After answered to the last request for `token`, forgotten once taken. */
  take (token: string): number | undefined {
    const seconds = this.seconds.get(token)
    this.seconds.delete(token)
    return seconds
  }
}
