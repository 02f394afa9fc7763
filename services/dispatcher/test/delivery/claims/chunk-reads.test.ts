import { randomUUID } from 'node:crypto'
import type { Db } from '@beacon/db'
import t from 'tap'
import { claimTargets, pendingClaims } from '../../../src/delivery/claims/claims.js'
import { resolveCampaignDevices } from '../../../src/delivery/claims/resolve-devices.js'
import { startDbHarness, type DbHarness } from '../db-harness.js'

interface PlanNode { 'Node Type': string, 'Relation Name'?: string, 'Actual Rows': number, 'Actual Loops': number, 'Rows Removed by Filter'?: number, 'Rows Removed by Index Recheck'?: number, Plans?: PlanNode[] }

/** Rows of `table` the plan's scans read: those they returned and those they read and dropped. */
function rowsRead (node: PlanNode, table: string): number {
  const own = node['Relation Name'] === table
    ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * node['Actual Loops']
    : 0
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, table), 0)
}

type Query = (config: string | { text: string, values?: unknown[] }, values?: unknown[], ...rest: unknown[]) => Promise<unknown>

/**
 * Runs `work` with every statement it sends through `db.pool` first run under EXPLAIN ANALYZE (in
 * a transaction rolled back, so it changes nothing), then for real; resolves with the rows of
 * campaign_delivery each statement read.
 */
async function readsOf (db: Db, work: () => Promise<unknown>): Promise<number[]> {
  const reads: number[] = []
  const pool = db.pool as unknown as { query: Query }
  const original = pool.query
  pool.query = async (config, values) => {
    const text = typeof config === 'string' ? config : config.text
    const params = typeof config === 'string' ? values : config.values ?? values
    const client = await db.pool.connect()
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>({ text: `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values: params })
      reads.push(rowsRead(rows[0]!['QUERY PLAN'][0]!.Plan, 'campaign_delivery'))
    } finally {
      await client.query('ROLLBACK')
      client.release()
    }
    return original.call(db.pool, config, values)
  }
  // Statements run on a client of their own (queryKeyedLookups: a transaction with local
  // settings) are explained on that client, under its settings, inside a savepoint undone after.
  type Connect = (callback?: unknown) => Promise<{ query: Query }> | undefined
  const connect = db.pool.connect as unknown as Connect
  ;(db.pool as unknown as { connect: Connect }).connect = (callback?: unknown) => {
    // pg-pool's own query() connects with a callback: left alone (it is explained above).
    if (callback !== undefined) return connect.call(db.pool, callback)
    return connect.call(db.pool)!.then((client) => { explainOn(client); return client })
  }
  const wrapped: Array<() => void> = []
  const explainOn = (client: { query: Query }) => {
    const own = client.query.bind(client)
    const original = client.query
    wrapped.push(() => { client.query = original })
    // Only inside a transaction the caller opened (its local settings apply there).
    let inTransaction = false
    client.query = async (config, values, ...rest: unknown[]) => {
      // A callback-style call (pg-pool's own query() on a client it pooled): passed through.
      if (rest.length > 0 || typeof values === 'function') return (own as (...args: unknown[]) => Promise<unknown>)(config, values, ...rest)
      const text = typeof config === 'string' ? config : config.text
      if (/^BEGIN\b/.test(text)) inTransaction = true
      else if (/^(COMMIT|ROLLBACK)\b/.test(text)) inTransaction = false
      else if (inTransaction && !/^(SAVEPOINT|RELEASE|EXPLAIN)\b/.test(text)) {
        const params = typeof config === 'string' ? values : config.values ?? values
        await own('SAVEPOINT explained')
        const { rows } = await own({ text: `EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values: params }) as { rows: Array<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }> }
        await own('ROLLBACK TO SAVEPOINT explained')
        reads.push(rowsRead(rows[0]!['QUERY PLAN'][0]!.Plan, 'campaign_delivery'))
      }
      return own(config, values)
    }
  }
  try {
    await work()
  } finally {
    pool.query = original
    ;(db.pool as unknown as { connect: Connect }).connect = connect
    for (const unwrap of wrapped) unwrap()
  }
  return reads
}

/**
 * A campaign of `chunks` chunks of `users` users, one APNs device each (tokens and user ids
 * numbered alike, `token-000123` for `user-000123`), stored as the api stores it.
 */
async function seedCampaign (h: DbHarness, chunks: number, users: number) {
  const ids = (chunk: number) => Array.from({ length: users }, (_, i) => `user-${String(chunk * users + i).padStart(6, '0')}`)
  await h.db.$executeRaw`
    INSERT INTO device (application_id, push_token, platform)
    SELECT ${h.applicationId}, 'token-' || lpad(i::text, 6, '0'), 'APNS' FROM generate_series(0, ${chunks * users - 1}) AS i`
  await h.db.$executeRaw`
    INSERT INTO device_activation (application_id, device_id, activation_id, user_id, activation_status, updated_at)
    SELECT ${h.applicationId}, d.id, 'act-' || d.id, 'user-' || substr(d.push_token, 7), 'ACTIVE', now() FROM device d`
  const commands = await h.storeCampaign(Array.from({ length: chunks }, (_, chunk) => ids(chunk)))
  return { commands, campaignId: BigInt(commands[0]!.campaignId) }
}

// A campaign's claims grow with every chunk sent; a chunk's own statements must not read them
// (PostgreSQL's CPU per notification grew with the campaign while they did: quadratic over a send).
// The tables are as a fresh campaign leaves them: never analyzed, answered claims' dead versions in
// place (nothing vacuumed), other chunks' windows PENDING meanwhile.
t.test('a chunk\'s look-up of its devices, its claims and its PENDING claims read its own chunk\'s deliveries, not the campaign\'s', async (t) => {
  const h = await startDbHarness(t)
  const CHUNKS = 40
  const USERS = 50
  const { commands, campaignId } = await seedCampaign(h, CHUNKS, USERS)
  // Every chunk but the last claimed its devices; all but 10 of each were answered since.
  await h.db.$executeRaw`
    INSERT INTO campaign_delivery (campaign_id, device_id, chunk, platform)
    SELECT ${campaignId}, d.id, (substr(d.push_token, 7)::int / ${USERS}), 'APNS' FROM device d
     WHERE substr(d.push_token, 7)::int < ${(CHUNKS - 1) * USERS}`
  await h.db.$executeRaw`
    UPDATE campaign_delivery SET status = 'SENT', attempts = 1, completed_at = now()
     WHERE campaign_id = ${campaignId} AND device_id % ${USERS} >= 10`

  const last = commands.at(-1)!
  const scope = { kind: 'campaign' as const, campaignId: last.campaignId, chunk: last.chunk }
  let unclaimed: Awaited<ReturnType<typeof resolveCampaignDevices>>['unclaimed'] = []
  const [resolving] = await readsOf(h.db, async () => { unclaimed = (await resolveCampaignDevices(h.db, last)).unclaimed })
  t.equal(unclaimed.length, USERS, 'the chunk\'s users\' devices, none claimed yet')
  t.ok(resolving! <= USERS, `the look-up read ${resolving} deliveries (at most the chunk's ${USERS})`)

  const window = unclaimed.slice(0, 10)
  const claimant = { key: `campaign:${last.campaignId}:${last.chunk}`, holder: randomUUID() }
  let mine = new Set<string>()
  const [claiming] = await readsOf(h.db, async () => { mine = (await claimTargets(h.db, scope, claimant, window, new Date())).mine })
  t.equal(mine.size, 10, 'the window is claimed')
  t.ok(claiming! <= 2 * window.length, `a window's claim read ${claiming} deliveries (its own ${window.length}, not the campaign's PENDING ones)`)

  let pending: Array<{ deviceId: bigint }> = []
  const [listing] = await readsOf(h.db, async () => { pending = await pendingClaims(h.db, scope) })
  t.same(pending.map((p) => String(p.deviceId)).sort(), [...mine].sort(), 'the chunk\'s PENDING claims: its window')
  t.ok(listing! <= window.length, `the chunk's PENDING claims read ${listing} deliveries`)
  // The rows of the other chunks are there to be read: a statement not narrowed to the chunk reads them.
  const [campaignWide] = await readsOf(h.db, () => h.db.pool.query('SELECT count(*) FROM campaign_delivery WHERE campaign_id = $1 AND status = \'PENDING\'', [String(campaignId)]))
  t.ok(campaignWide! >= (CHUNKS - 1) * 10, `the campaign's PENDING claims: ${campaignWide} rows read`)
})

// guarantee: chunk-devices-by-key
// At PostgreSQL's default cost of a random read, a chunk's look-up was planned as a sequential scan
// of every claim of the campaign, hashed for each chunk (105 ms a chunk at 50,000 claims, against
// 10 ms by key): a campaign's later chunks paid for its earlier ones. (The activations are read
// whole or by key as their count makes cheaper: that does not grow with the campaign.)
t.test('a chunk\'s look-up finds its devices\' claims by key at 20,000 claims, tables analyzed: the campaign\'s claims are not read whole', async (t) => {
  const h = await startDbHarness(t)
  const CHUNKS = 21
  const USERS = 1000
  const { commands, campaignId } = await seedCampaign(h, CHUNKS, USERS)
  await h.db.$executeRaw`
    INSERT INTO campaign_delivery (campaign_id, device_id, chunk, platform, status)
    SELECT ${campaignId}, d.id, (substr(d.push_token, 7)::int / ${USERS}), 'APNS', 'SENT' FROM device d
     WHERE substr(d.push_token, 7)::int < ${(CHUNKS - 1) * USERS}`
  // As autovacuum leaves a server in service: statistics that count every row.
  await h.db.$executeRawUnsafe('ANALYZE device, device_activation, campaign_user, campaign_delivery')
  const last = commands.at(-1)!
  let unclaimed = 0
  const [claims] = await readsOf(h.db, async () => { unclaimed = (await resolveCampaignDevices(h.db, last)).unclaimed.length })
  t.equal(unclaimed, USERS, 'the last chunk\'s users\' devices, none claimed yet')
  t.ok(claims! <= 2 * USERS, `the look-up read ${claims} of the campaign's ${(CHUNKS - 1) * USERS} claims`)
})

// Statistics a campaign outgrows: autovacuum analyzes the tables early in a send, when the campaign
// had no claims yet, and again only once a tenth more rows came; meanwhile the planner takes the
// campaign for a row. Looked up per device, the claims were then read through the campaign's first
// index column alone, every claim of the campaign for each device (12 s a chunk at 1,000,000 users).
// guarantee: chunk-devices-by-key
t.test('a chunk\'s look-up reads only its own claims when the statistics predate the campaign\'s claims', async (t) => {
  const h = await startDbHarness(t)
  const CHUNKS = 40
  const USERS = 50
  const { commands, campaignId } = await seedCampaign(h, CHUNKS, USERS)
  await h.db.$executeRaw`ANALYZE campaign_user, device_activation, device, campaign_delivery, campaign_chunk`
  // Every chunk before the last sent; the last one's earlier holder claimed 10 devices and stopped.
  await h.db.$executeRaw`
    INSERT INTO campaign_delivery (campaign_id, device_id, chunk, platform)
    SELECT ${campaignId}, d.id, (substr(d.push_token, 7)::int / ${USERS}), 'APNS' FROM device d
     WHERE substr(d.push_token, 7)::int < ${(CHUNKS - 1) * USERS + 10}`
  const last = commands.at(-1)!
  let found: Awaited<ReturnType<typeof resolveCampaignDevices>> | undefined
  const [resolving] = await readsOf(h.db, async () => { found = await resolveCampaignDevices(h.db, last) })
  t.equal(found!.unclaimed.length, USERS, 'the chunk\'s users\' devices: 40 unclaimed and the 10 its earlier holder left unanswered')
  t.equal(found!.earlier.length, 10, 'its earlier holder\'s claims')
  t.ok(resolving! <= 10, `the look-up read ${resolving} deliveries (the chunk's own 10, not the campaign's ${(CHUNKS - 1) * USERS + 10})`)
})
