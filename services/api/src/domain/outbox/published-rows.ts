/**
 * The outbox rows whose commands their requests published themselves, deleted together once per
 * window instead of one statement per request. A committed statement is a WAL flush: on this
 * project's 2-core machine a flush cost ~0.5 ms of CPU, and a single message paid four of them,
 * one of which was this delete. Nothing a client is told depends on it: a row that outlives its
 * publish is left alone by the sweeper for OUTBOX_PUBLISH_GRACE_MS, and if the api dies first the
 * sweeper publishes it again under the same message id, which JetStream keeps once.
 */
export interface PublishedRows {
  /** Rows to delete with the next window's statement. */
  add (ids: string[]): void
  /** Deletes what is waiting now and waits for every delete under way (the api is closing). */
  flush (): Promise<void>
}

export interface PublishedRowsOptions {
  /** How long the first row of a window waits for others. */
  windowMs: number
  /** A window with this many rows is deleted at once. */
  maxRows: number
  remove: (ids: string[]) => Promise<void>
  /** A failed delete leaves its rows to the sweeper (published again harmlessly, then deleted). */
  onError: (error: unknown, rows: number) => void
}

export function publishedRows ({ windowMs, maxRows, remove, onError }: PublishedRowsOptions): PublishedRows {
  let waiting: string[] = []
  let timer: NodeJS.Timeout | undefined
  const running = new Set<Promise<void>>()

  const deleteWaiting = () => {
    clearTimeout(timer)
    timer = undefined
    const ids = waiting
    waiting = []
    if (ids.length === 0) return
    const done: Promise<void> = remove(ids)
      .catch((error: unknown) => { onError(error, ids.length) })
      .finally(() => { running.delete(done) })
    running.add(done)
  }

  return {
    add (ids) {
      if (ids.length === 0) return
      waiting.push(...ids)
      if (waiting.length >= maxRows) deleteWaiting()
      // Not unref'd: a process that ends on its own still deletes what it published.
      else timer ??= setTimeout(deleteWaiting, windowMs)
    },
    async flush () {
      deleteWaiting()
      await Promise.all(running)
    }
  }
}
