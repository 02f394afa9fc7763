import { gauge } from '@beacon/metrics'

/** A statement runner: the api's pool (several statements in one text answer one result each). */
export interface DatabaseSource {
  query (statement: { text: string }): Promise<unknown>
}

interface Snapshot {
  campaignsRunning: number
  campaignDevices: { planned: number, sent: number, failed: number }
  campaignChunks: { planned: number, done: number, failed: number }
  outboxDepth: number
  /** Callback copies in the outbox waiting for their time: retries, and callbacks put off. */
  callbacksWaiting: number
  /** How long the oldest row due has been due: grows while nothing is published. */
  outboxOldestDueSeconds: number
  /** Rows whose publish failed, waiting for the next try. */
  outboxFailedPublishes: number
}

/** Scrapes within this long of the last reading share it: one database round trip, whatever scrapes. */
export const SNAPSHOT_TTL_MS = 2000
/**
 * A scrape waits no longer than this for the database (the gauges then keep their last values),
 * and PostgreSQL cancels the reading itself at this age, so that a blocked one does not keep its
 * connection.
 */
const SNAPSHOT_TIMEOUT_MS = 2000

// Running = its live send started and not every chunk is done. Devices are the deliveries claimed
// so far (planned = all of them, whatever their state; failed = FAILED and EXPIRED), read over
// the campaign_id prefix of the (campaign_id, chunk, status) index of each running campaign. They are no measure of progress:
// dispatchers claim a chunk's devices window by window as they send, so the claimed ones are
// nearly all sent at any time. Chunks are: every chunk of a campaign is written when its send
// starts (plan.ts), so `planned` is the whole campaign from the first scrape, and a chunk is
// done once its summary came and none of its claims is pending. They are read over the chunk
// table's primary key, (campaign_id, chunk): a thousand rows for a 1,000,000-user campaign at the
// default CAMPAIGN_CHUNK_USERS, not its million users. SET LOCAL lasts as long as the implicit
// transaction of this one simple query: the pooled connection keeps its own settings.
const SNAPSHOT = `SET LOCAL statement_timeout = ${SNAPSHOT_TIMEOUT_MS};
         WITH running AS (SELECT id FROM campaign WHERE sent_at IS NOT NULL AND completed_at IS NULL),
              devices AS (SELECT d.status, count(*) AS n FROM campaign_delivery d JOIN running r ON r.id = d.campaign_id GROUP BY d.status),
              chunks AS (SELECT count(*) AS planned, count(k.done_at) AS done, count(*) FILTER (WHERE k.done_at IS NOT NULL AND k.failure_reason IS NOT NULL) AS failed
                           FROM campaign_chunk k JOIN running r ON r.id = k.campaign_id),
              -- A callback's later copy (a retry, or one put off) waits for its time by design, unlike a
              -- row whose publish failed (attempts > 0) or that its writer has yet to publish. A first
              -- callback copy is due when written, so a callback row not due yet is a later copy.
              outbox_state AS (SELECT count(*) FILTER (WHERE NOT waiting) AS depth, count(*) FILTER (WHERE waiting) AS waiting,
                                      count(*) FILTER (WHERE attempts > 0) AS failed,
                                      coalesce(extract(epoch FROM now() - min(publish_after) FILTER (WHERE publish_after <= now())), 0) AS oldest_due
                                 FROM (SELECT publish_after, attempts, kind = 'callback' AND attempts = 0 AND publish_after > now() AS waiting
                                         FROM outbox) AS rows)
         SELECT (SELECT count(*) FROM running)::int AS running,
                (SELECT coalesce(sum(n), 0) FROM devices)::bigint::text AS planned,
                (SELECT coalesce(sum(n), 0) FROM devices WHERE status = 'SENT')::bigint::text AS sent,
                (SELECT coalesce(sum(n), 0) FROM devices WHERE status IN ('FAILED', 'EXPIRED'))::bigint::text AS failed,
                chunks.planned::text AS chunks_planned, chunks.done::text AS chunks_done, chunks.failed::text AS chunks_failed,
                outbox.depth::text AS outbox, outbox.waiting::text AS callbacks_waiting, outbox.oldest_due::float8 AS outbox_oldest_due,
                outbox.failed::text AS outbox_failed
           FROM chunks, outbox_state AS outbox`

interface SnapshotRow {
  running: number
  planned: string
  sent: string
  failed: string
  chunks_planned: string
  chunks_done: string
  chunks_failed: string
  outbox: string
  callbacks_waiting: string
  outbox_oldest_due: number
  outbox_failed: string
}

// The api instances of this process, the latest last: the gauges read the latest one's database
// (one api per process in production; tests build many, one after another).
const sources: DatabaseSource[] = []
let cached: { source: DatabaseSource, at: number, snapshot: Promise<Snapshot | undefined> } | undefined
// The reading under way, until PostgreSQL answers or cancels it (not merely until a scrape stops
// waiting): /metrics needs no credentials, and a scrape every second against a blocked table must
// not take one more pooled connection each time.
let reading: { source: DatabaseSource, done: Promise<Snapshot> } | undefined

async function read (source: DatabaseSource): Promise<Snapshot> {
  // The read timeout is the client's bound, for a connection whose peer vanished (the server's
  // statement_timeout cannot end that one): node-postgres then discards the connection.
  const statement = { text: SNAPSHOT, query_timeout: SNAPSHOT_TIMEOUT_MS + 1000 }
  const results = await source.query(statement) as Array<{ rows: SnapshotRow[] }>
  const row = results.at(-1)?.rows[0]
  if (row === undefined) throw new Error('no row')
  return {
    campaignsRunning: row.running,
    campaignDevices: { planned: Number(row.planned), sent: Number(row.sent), failed: Number(row.failed) },
    campaignChunks: { planned: Number(row.chunks_planned), done: Number(row.chunks_done), failed: Number(row.chunks_failed) },
    outboxDepth: Number(row.outbox),
    callbacksWaiting: Number(row.callbacks_waiting),
    outboxOldestDueSeconds: row.outbox_oldest_due,
    outboxFailedPublishes: Number(row.outbox_failed)
  }
}

async function withTimeout<T> (work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error('timeout')), SNAPSHOT_TIMEOUT_MS) })
  try { return await Promise.race([work, late]) } finally { clearTimeout(timer) }
}

/** The current numbers, read at most once per SNAPSHOT_TTL_MS; undefined when the database did not answer. */
function snapshot (): Promise<Snapshot | undefined> {
  const source = sources.at(-1)
  if (source === undefined) return Promise.resolve(undefined)
  if (cached === undefined || cached.source !== source || Date.now() - cached.at > SNAPSHOT_TTL_MS) {
    // A failed reading is not kept: the next scrape asks again. /metrics answers either way.
    if (reading?.source !== source) {
      const done = read(source).finally(() => { if (reading?.done === done) reading = undefined })
      reading = { source, done }
    }
    const answer = withTimeout(reading.done).catch(() => { cached = undefined; return undefined })
    cached = { source, at: Date.now(), snapshot: answer }
  }
  return cached.snapshot
}

gauge({
  name: 'beacon_campaigns_running',
  help: 'Campaigns whose live send started and is not complete',
  async collect () {
    const now = await snapshot()
    if (now !== undefined) this.set(now.campaignsRunning)
  }
})

gauge<'state'>({
  name: 'beacon_campaign_devices',
  help: 'Device deliveries of the running campaigns claimed so far (claimed as they are sent: not their total): planned (all claimed), sent, failed (failed or expired)',
  labelNames: ['state'],
  async collect () {
    const now = await snapshot()
    if (now === undefined) return
    for (const [state, devices] of Object.entries(now.campaignDevices)) this.set({ state }, devices)
  }
})

gauge<'state'>({
  name: 'beacon_campaign_chunks',
  help: 'Chunks of the running campaigns (CAMPAIGN_CHUNK_USERS users each): planned (all, from the start), done (failed included), failed (failed as a whole); progress = done / planned',
  labelNames: ['state'],
  async collect () {
    const now = await snapshot()
    if (now === undefined) return
    for (const [state, chunks] of Object.entries(now.campaignChunks)) this.set({ state }, chunks)
  }
})

gauge({
  name: 'beacon_outbox_depth',
  help: 'Commands and callbacks in the outbox not yet published to NATS, less the callbacks waiting for a later attempt (the whole database\'s, the same from every api instance)',
  async collect () {
    const now = await snapshot()
    if (now !== undefined) this.set(now.outboxDepth)
  }
})

gauge({
  name: 'beacon_outbox_failed_publishes',
  help: 'Outbox rows whose publish to NATS failed, waiting for the next try (OUTBOX_PUBLISH_GRACE_MS later): 0 while NATS takes what is published (the whole database\'s)',
  async collect () {
    const now = await snapshot()
    if (now !== undefined) this.set(now.outboxFailedPublishes)
  }
})

gauge({
  name: 'beacon_outbox_oldest_due_seconds',
  help: 'How long the outbox row due longest has been due without being taken: a second or so while the sweeper runs, growing while it does not (the whole database\'s); a failed publish is due again only OUTBOX_PUBLISH_GRACE_MS later (beacon_outbox_failed_publishes counts those)',
  async collect () {
    const now = await snapshot()
    if (now !== undefined) this.set(now.outboxOldestDueSeconds)
  }
})

gauge({
  name: 'beacon_callbacks_waiting',
  help: 'Callbacks waiting in the outbox for a later attempt: retries, and callbacks put off while their developer held its share of the senders (the whole database\'s)',
  async collect () {
    const now = await snapshot()
    if (now !== undefined) this.set(now.callbacksWaiting)
  }
})

/** Reads the gauges from this database until the returned function is called (the api closes). */
export function watchDatabase (source: DatabaseSource): () => void {
  sources.push(source)
  return () => {
    const index = sources.lastIndexOf(source)
    if (index >= 0) sources.splice(index, 1)
    if (cached?.source === source) cached = undefined
  }
}
