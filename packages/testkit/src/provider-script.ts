/**
 * What a provider mock answers for one device token once the request itself is valid. Each
 * mock renders these in its provider's own terms (APNs reasons, Google error bodies).
 */
export type ScriptedAnswer =
  | 'success'
  /** APNs 410 Unregistered with a timestamp; FCM 404 UNREGISTERED. */
  | 'unregistered'
  /** APNs 400 BadDeviceToken; FCM 400 INVALID_ARGUMENT "not a valid FCM registration token". */
  | 'bad-token'
  /** 500: APNs InternalServerError; FCM INTERNAL. */
  | 'server-error'
  /** 503: APNs ServiceUnavailable; FCM UNAVAILABLE. */
  | 'unavailable'
  /** The connection is destroyed mid-request (APNs: the whole HTTP/2 session). */
  | 'drop'
  /** The request is taken and never answered; the connection stays open (until the client gives up or the mock closes). */
  | 'hang'
  /** 429 (APNs TooManyRequests, FCM QUOTA_EXCEEDED), with `Retry-After: <seconds>` when given. */
  | { kind: 'rate-limited', retryAfterSeconds?: number }
  /** Waits, then answers as an unscripted request would (success). */
  | { kind: 'slow', delayMs: number }
  /**
   * A refusal in words the test chooses (APNs: the body's `reason`; FCM: the error `message` of an
   * INVALID_ARGUMENT-style answer with this status), for proving that provider text never reaches
   * API clients or developers.
   */
  | { kind: 'refused', status: number, text: string }

/**
 * Per-token answer sequences. Each request takes the next answer; the last one stays in force,
 * so `script(t, 'unregistered')` holds for good while
 * `script(t, [{ kind: 'rate-limited' }, 'success'])` fails once, then recovers.
 */
export class AnswerScripts {
  readonly #byToken = new Map<string, { answers: ScriptedAnswer[], next: number }>()

  set (token: string, answers: ScriptedAnswer | ScriptedAnswer[]): void {
    const list = Array.isArray(answers) ? [...answers] : [answers]
    if (list.length === 0) throw new Error('a script needs at least one answer')
    for (const answer of list) {
      if (typeof answer === 'object' && answer.kind === 'slow' && !(answer.delayMs >= 0)) throw new Error('slow answers need delayMs >= 0')
    }
    this.#byToken.set(token, { answers: list, next: 0 })
  }

  /** The answer for this request, or undefined when the token has no script. */
  take (token: string): ScriptedAnswer | undefined {
    const script = this.#byToken.get(token)
    if (script === undefined) return undefined
    const answer = script.answers[Math.min(script.next, script.answers.length - 1)]
    script.next++
    return answer
  }

  clear (): void {
    this.#byToken.clear()
  }
}

/** The log of what a mock received: all entries in order, and the same entries per token. */
export class ReceivedLog<Entry extends { token: string }> {
  readonly all: Entry[] = []
  readonly #byToken = new Map<string, Entry[]>()

  add (entry: Entry): void {
    this.all.push(entry)
    const list = this.#byToken.get(entry.token)
    if (list === undefined) this.#byToken.set(entry.token, [entry])
    else list.push(entry)
  }

  of (token: string): Entry[] {
    return this.#byToken.get(token) ?? []
  }

  clear (): void {
    this.all.length = 0
    this.#byToken.clear()
  }
}

/** Request and response counts, cheap enough to keep during benchmarks. */
export interface MockCounters {
  /** Requests answered or dropped. */
  requests: number
  /** Responses by HTTP status. */
  byStatus: Record<number, number>
  /** Connections destroyed by a `drop` answer. */
  dropped: number
  /** Requests left unanswered by a `hang` answer. */
  hung: number
}

export const newCounters = (): MockCounters => ({ requests: 0, byStatus: {}, dropped: 0, hung: 0 })

export function countStatus (counters: MockCounters, status: number): void {
  counters.requests++
  counters.byStatus[status] = (counters.byStatus[status] ?? 0) + 1
}

export function resetCounters (counters: MockCounters): void {
  counters.requests = 0
  counters.byStatus = {}
  counters.dropped = 0
  counters.hung = 0
}
