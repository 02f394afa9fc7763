/** What an FCM error answer said that firebase-admin's error does not carry. */
export interface ErrorAnswer {
  /** Its Retry-After, in seconds. */
  retryAfterSeconds?: number
  /**
   * The `FcmError` code of its body's details (`UNREGISTERED`, `INVALID_ARGUMENT`, …), if it
   * had one. firebase-admin reports a plain Google `NOT_FOUND` (a wrong URL, a proxy's answer, a
   * project that does not exist) with the same code as FCM's `UNREGISTERED`.
   */
  fcmErrorCode?: string
}

/**
 * firebase-admin reports FCM errors without their response's headers and details. The transport
 * (firebase-http2-transport.ts) notes each error answer by the registration token of the request
 * it answered; the sender takes it when that send fails.
 */
export class ErrorAnswersByToken {
  private readonly answers = new Map<string, ErrorAnswer>()
  note (token: string, answer: ErrorAnswer): void { this.answers.set(token, answer) }
  /** The error answered to the last request for `token`, forgotten once taken. */
  take (token: string): ErrorAnswer | undefined {
    const answer = this.answers.get(token)
    this.answers.delete(token)
    return answer
  }
}
