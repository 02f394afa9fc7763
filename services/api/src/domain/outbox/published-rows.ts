/**
 * The outbox rows whose commands their requests published themselves, deleted together once per
 * window instead of one statement per request. Every committed statement waits for a WAL flush,
 * and a single message paid four of them, one of which was this delete. Nothing a client is told
 * depends on it: a row that outlives its publish is left alone by the sweeper for
 * OUTBOX_PUBLISH_GRACE_MS, and if it is never deleted here (the api died, the database failed the
 * delete, too many waited) the sweeper publishes it again under the same message id, which
 * JetStream keeps once, and deletes it.
 */
export interface PublishedRows {
  /** Rows to delete with the next window's statement. */
  add (ids: string[]): void
  /** Deletes what waits and waits for the delete under way; rows added after it are left to the sweeper. */
  flush (): Promise<void>
}

export interface PublishedRowsOptions {
  /** How long the first row of a window waits for others. */
  windowMs: number
  /** A window with this many rows is deleted as soon as no other delete runs. */
  maxRows: number
  /** Rows waiting beyond this (the database slower than the sends) are left to the sweeper. */
  maxWaiting: number
  remove: (ids: string[]) => Promise<void>
  /** A failed delete leaves its rows to the sweeper (published again harmlessly, then deleted). */
  onError: (error: unknown, rows: number) => void
  /** Rows not taken (too many waiting, or added after the flush): the sweeper's. */
  onLeft: (rows: number, why: 'backlog' | 'closed') => void
}

export function publishedRows ({ windowMs, maxRows, maxWaiting, remove, onError, onLeft }: PublishedRowsOptions): PublishedRows {
  let waiting: string[] = []
  let timer: NodeJS.Timeout | undefined
  // One delete at a time (one pool connection): what comes meanwhile waits for the next.
  let running: Promise<void> | undefined
  let closed = false

  const schedule = () => {
    if (running !== undefined || waiting.length === 0) return
    if (waiting.length >= maxRows) deleteWaiting()
    else timer ??= setTimeout(deleteWaiting, windowMs)
  }

  function deleteWaiting (): void {
    clearTimeout(timer)
    timer = undefined
    if (running !== undefined || waiting.length === 0) return
    const ids = waiting.length <= maxRows ? waiting : waiting.slice(0, maxRows)
    waiting = waiting.length <= maxRows ? [] : waiting.slice(maxRows)
    running = remove(ids)
      .catch((error: unknown) => { onError(error, ids.length) })
      .finally(() => {
        running = undefined
        schedule()
      })
  }

  return {
    add (ids) {
      if (ids.length === 0) return
      if (closed) { onLeft(ids.length, 'closed'); return }
      if (waiting.length + ids.length > maxWaiting) { onLeft(ids.length, 'backlog'); return }
      waiting.push(...ids)
      schedule()
    },
    async flush () {
      closed = true
      while (running !== undefined || waiting.length > 0) {
        deleteWaiting()
        await running
      }
      clearTimeout(timer)
    }
  }
}
