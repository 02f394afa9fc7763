/**
 * firebase-admin reports FCM errors without their response headers. firebase-request-bounds.ts
 * notes each Retry-After here by the registration token of the request it answered; the sender
 * takes it when that device's send fails. (An AsyncLocalStorage context per send did the same,
 * but on Node 20 it puts a hook on every promise of the process, a cost every notification paid.)
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
