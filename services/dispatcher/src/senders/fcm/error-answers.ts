/** What an FCM error answer said that firebase-admin's error does not carry. */
export interface ErrorAnswer {
  /** Its Retry-After, in seconds. */
  retryAfterSeconds?: number
  /**
   * The `FcmError` code of its body's details (`UNREGISTERED`, `INVALID_ARGUMENT`, …), if it
   * had one. firebase-admin reports a plain Google `NOT_FOUND` (a project that does not exist, a
   * proxy's JSON 404) with the same code as FCM's `UNREGISTERED`.
   */
  fcmErrorCode?: string
}

/**
 * firebase-admin reports FCM errors without their response's headers and details. The transport
 * (firebase-http2-transport.ts) notes each error answer by the registration token of the request
 * it answered; the sender takes it (answerFor) when that send fails with an error made from an answer.
 *
 * Notes for one token are taken in the order they were made: two sends to the same token (a user
 * in two messages at once) that fail together each take their own answer, where a single slot
 * per token gave the first send the second's answer and the second none. Every path from a note
 * to its take is the same chain of promises, so the orders match.
 */
export class ErrorAnswersByToken {
  private readonly answers = new Map<string, ErrorAnswer[]>()

  note (token: string, answer: ErrorAnswer): void {
    const noted = this.answers.get(token)
    if (noted === undefined) this.answers.set(token, [answer])
    else noted.push(answer)
  }

  /** The oldest answer noted for `token` and not taken yet, forgotten once taken. */
  take (token: string): ErrorAnswer | undefined {
    const noted = this.answers.get(token)
    const first = noted?.shift()
    if (noted?.length === 0) this.answers.delete(token)
    return first
  }

  /**
   * The answer behind `error`, a send's failure for `token`: taken only when firebase-admin made
   * the error from FCM's answer (its `messaging/*` codes). A timeout, a network failure or a token
   * failure had no answer noted, and must not take another send's.
   */
  answerFor (token: string, error: unknown): ErrorAnswer | undefined {
    const code = (error as { code?: unknown } | null)?.code
    return typeof code === 'string' && code.startsWith('messaging/') ? this.take(token) : undefined
  }

  /** Tokens with an answer not taken yet (nothing should stay: each failed send takes its own). */
  get size (): number { return this.answers.size }
}
