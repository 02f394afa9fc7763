import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { connectionOf, useSchema } from './connection.js'
import { PrismaClient } from './generated/client.js'

/**
 * The Prisma client, and beside it the node-postgres pool it runs on: the hot paths (device
 * registration, claims, result recording) send their one statement straight through `pool`,
 * skipping Prisma's per-query work (about 0.3–1.3 ms of CPU each, measured), on the same
 * connections.
 */
export type Db = PrismaClient & {
  readonly pool: pg.Pool
  /** The spacing of the grouped statements sent through `pool` (group-commit.ts's `spacingMs`). */
  readonly groupSpacingMs: number
  /** The schema of Beacon's tables: DATABASE_URL's `?schema=`, or public (connection.ts). */
  readonly schema: string
}

export interface DbOptions {
  /** PostgreSQL connection string; `?schema=NAME` keeps Beacon's tables in that schema (connection.ts). */
  url: string
  /** Upper bound of pooled connections for this process. */
  poolSize?: number
  /** Grouped statements (group-commit.ts) start at least this many ms apart; 0 (default): at once. */
  groupSpacingMs?: number
  /**
   * How long a connection may take to be had, opened or from the pool when all are busy, before
   * the statement fails (node-postgres's `connectionTimeoutMillis`); 0 (default): no limit.
   */
  connectTimeoutMs?: number
  /**
   * How long a statement sent may wait for its answer before it fails, and its connection is
   * dropped (node-postgres's `query_timeout`; dropClientsLeftBusy); 0 (default): no limit.
   * PostgreSQL is not told: a statement still running there may yet commit (group-commit.ts runs
   * such a statement again).
   */
  queryTimeoutMs?: number
}

/** How long $disconnect waits for the server to close the pool's sessions before closing them itself. */
export const DISCONNECT_WAIT_MS = 2000

/**
 * node-postgres's client, past its typings: its socket, to close one the server no longer answers
 * on; the statement under way and those queued behind it; the transaction status of the server's
 * last ReadyForQuery ('I' idle, 'T' in a transaction, 'E' in a failed one); whether pg-pool may
 * hand it out again.
 */
interface ClientInternals {
  connection?: { stream?: { destroy (): void } }
  _activeQuery?: unknown
  _queryQueue?: unknown[]
  _txStatus?: string | null
  _queryable?: boolean
}

/**
 * Makes `pool` drop, rather than keep, a client handed back while a statement is still under way on
 * it (one whose answer did not come within query_timeout) or inside a transaction. Prisma's adapter
 * hands a transaction's client back without an error even when its ROLLBACK timed out behind such
 * a statement: kept, the client's next statement, another request's, waited behind the old one and
 * then ran inside that transaction, to be committed or rolled back with work that had failed.
 */
function dropClientsLeftBusy (pool: pg.Pool): void {
  pool.on('release', (error: Error | undefined, client: pg.PoolClient) => {
    if (error !== undefined && error !== null) return // pg-pool drops it itself
    const internals = client as unknown as ClientInternals
    const busy = internals._activeQuery != null || (internals._queryQueue?.length ?? 0) > 0
    const inTransaction = internals._txStatus === 'T' || internals._txStatus === 'E'
    if (!busy && !inTransaction) return
    // pg-pool reads this right after the event: not queryable, the client is removed at once.
    internals._queryable = false
    internals.connection?.stream?.destroy()
  })
}

/** A Prisma client over node-postgres. Call `$disconnect()` on close: it ends the pool. */
export function createDb ({ url, poolSize = 10, groupSpacingMs = 0, connectTimeoutMs = 0, queryTimeoutMs = 0 }: DbOptions): Db {
  const { schema, named } = connectionOf(url)
  // Without both limits a database that goes silent (a failed-over primary whose packets are
  // dropped, not refused) held every statement, and the connection under it, until TCP gave up:
  // minutes, or for good. Each statement's own query_timeout (readiness, gauges) still wins.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    ...(connectTimeoutMs > 0 ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
    ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
    // Set before the connection is handed out (pg-pool waits for it; a failure fails the connect).
    // Not queued from the 'connect' event as before: a new connection whose caller had given up
    // (connectTimeoutMs) was handed back at once with that statement under way, and dropped.
    ...(named ? { onConnect: async (client: pg.ClientBase) => { await useSchema(client, schema) } } : {})
  })
  dropClientsLeftBusy(pool)
  // An idle connection the server closed (a restart, an administrator) is an 'error' on the pool;
  // the pool drops that client and the next query connects anew. Unheard, the event would end the
  // process — and Prisma listens only once it has connected, which a dispatcher never does.
  pool.on('error', () => {})
  // pg-pool's end() resolves once it has asked its clients to end, not once they have: their
  // sessions were still open on the server for a moment after, and a PostgreSQL stopped next (the
  // standalone stops its embedded cluster right after Beacon) cut them. So $disconnect also waits
  // for every client the pool opened to be gone ('remove' comes after the client's own end), for
  // DISCONNECT_WAIT_MS at most: a server that cannot be reached never closes its side, and the
  // sockets are then closed from ours (the wait would otherwise last until TCP gives up).
  const open = new Set<pg.PoolClient>()
  const waiting: Array<() => void> = []
  pool.on('connect', (pooled) => { open.add(pooled) })
  pool.on('remove', (pooled) => {
    open.delete(pooled)
    if (open.size === 0) for (const resolve of waiting.splice(0)) resolve()
  })
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true, ...(named ? { schema } : {}) }) })
  const disconnect = client.$disconnect.bind(client)
  // Prisma ends the pool only if it connected: a process that used the pool alone must end it too.
  // One disconnect for every caller: a second pool.end() would reject.
  let disconnecting: Promise<void> | undefined
  const $disconnect = () => {
    disconnecting ??= (async () => {
      await disconnect()
      if (!pool.ending) await pool.end()
      if (open.size === 0) return
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const pooled of open) (pooled as unknown as ClientInternals).connection?.stream?.destroy()
          resolve()
        }, DISCONNECT_WAIT_MS)
        waiting.push(() => { clearTimeout(timer); resolve() })
      })
    })()
    return disconnecting
  }
  return Object.defineProperties(client, { pool: { value: pool }, groupSpacingMs: { value: groupSpacingMs }, schema: { value: schema }, $disconnect: { value: $disconnect } }) as Db
}
