import { worthRunningAgain } from './pool-failures.js'

/**
 * Group commit: writes asked for by concurrent callers (requests, commands) go to the database
 * together, one statement and one commit for all of them instead of one each (reads alike: one
 * round trip for all). Calls made in the
 * same turn of the event loop form a group; while `maxInFlight` groups are running, new calls
 * wait and form the next group. So an idle service adds no delay (a call waits one turn at most),
 * and a busy one writes in fewer, larger statements as it gets busier: a statement costs
 * PostgreSQL, and each process a socket write and read, whatever it carries.
 *
 * `run` gets the items of a group and resolves with one answer per item, in order. If it fails
 * for a group of several, each item is run again alone, so that an item the statement refuses
 * fails only its own caller (a statement is all or nothing); the lone runs' failures go to their
 * callers. A group of one is run again when its statement may have been carried out though it
 * failed (its answer lost: the connection ended, or no answer within the query timeout), or
 * PostgreSQL asks for it (a deadlock): worthRunningAgain. A caller told "failed" of a write that
 * was made would make it twice (a client retrying a send: the message sent twice). Statements run
 * this way must therefore be safe to run again (e.g. a conflict on the key that was written, or
 * idempotent).
 *
 * Not DataLoader: that loads values by key (with a cache) and starts a batch every turn, where a
 * write wants its group to grow while the database is busy with the last one.
 */
export interface GroupCommitOptions {
  /** Groups running at once (each holds one pool connection). */
  maxInFlight?: number
  /** Items in one group at most; more wait for the next. */
  maxGroup?: number
  /**
   * Groups start at least this many ms apart: a call that comes sooner after the last group
   * started waits for the rest of the spacing, and the calls made meanwhile go with it. A call
   * after a quiet spell starts at once, and a full group (`maxGroup` waiting) starts as soon as a
   * slot is free: waiting would not make it larger. So only a busy service waits, and for the
   * spacing at most (plus a timer's lateness). 0 (the default here; the services pass
   * DATABASE_GROUP_SPACING_MS): a group starts as soon as a slot is free.
   */
  spacingMs?: number
}

// A group of one is run again because of its first failure (a lost answer, a deadlock): when the
// second run fails too, the caller's error keeps the first as `firstRunFailure`, which is often
// the one that explains the second (a conflict on what the first run wrote); pino's error
// serializer writes it into the log line with its stack. Not as `cause`: callers classify an
// error by its cause chain (the dispatcher's outageOf), and a refusal after a lost answer is a
// refusal, not an outage. A group of several is not given it: its failure may be another item's.
function withFirstRunFailure (error: unknown, first: unknown): unknown {
  if (error instanceof Error && error !== first) Object.assign(error, { firstRunFailure: first })
  return error
}

interface Waiting<I, O> { item: I, resolve: (value: O) => void, reject: (error: unknown) => void }

export function groupCommit<I, O> (run: (items: I[]) => Promise<O[]>, { maxInFlight = 2, maxGroup = 500, spacingMs = 0 }: GroupCommitOptions = {}): (item: I) => Promise<O> {
  let queue: Array<Waiting<I, O>> = []
  let inFlight = 0
  // A flush is due (an immediate or the spacing timer): calls meanwhile only queue.
  let scheduled = false
  let lastStart = Number.NEGATIVE_INFINITY
  let spacingTimer: NodeJS.Timeout | undefined

  const runGroup = async (group: Array<Waiting<I, O>>) => {
    try {
      const answers = await run(group.map((entry) => entry.item))
      group.forEach((entry, i) => { entry.resolve(answers[i]!) })
    } catch (error) {
      if (group.length === 1 && !worthRunningAgain(error)) { group[0]!.reject(error); return }
      // The lone runs share this group's slot; the pool still bounds the connections they take.
      await Promise.all(group.map(async (entry) => {
        try { entry.resolve((await run([entry.item]))[0]!) } catch (alone) { entry.reject(group.length === 1 ? withFirstRunFailure(alone, error) : alone) }
      }))
    }
  }

  const flush = () => {
    scheduled = spacingTimer !== undefined
    while (queue.length > 0 && inFlight < maxInFlight) {
      const wait = lastStart + spacingMs - performance.now()
      if (wait > 0 && queue.length < maxGroup) {
        scheduled = true
        // Not unref'd: callers are waiting for this group, and a stopping service drains them first.
        spacingTimer ??= setTimeout(() => { spacingTimer = undefined; flush() }, Math.ceil(wait))
        return
      }
      lastStart = performance.now()
      const group = queue.length <= maxGroup ? queue : queue.slice(0, maxGroup)
      queue = queue.length <= maxGroup ? [] : queue.slice(maxGroup)
      inFlight++
      // runGroup never rejects: every failure goes to the group's callers.
      runGroup(group).finally(() => {
        inFlight--
        // What queued meanwhile is the next group, at once (spacing allowing): it waited for this one already.
        flush()
      }).catch(() => {})
    }
  }

  return (item) => new Promise<O>((resolve, reject) => {
    queue.push({ item, resolve, reject })
    // A group just filled goes without waiting for the spacing timer.
    if (inFlight < maxInFlight && (!scheduled || queue.length === maxGroup)) {
      scheduled = true
      setImmediate(flush)
    }
  })
}
