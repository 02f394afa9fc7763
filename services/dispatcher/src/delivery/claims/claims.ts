import type { Command, DeviceResult, ProviderPlatform } from '@beacon/contracts'
import { sqlStateOf, type Db } from '@beacon/db'
import type { DeviceTarget } from './resolve-devices.js'
import { claimMessageWindow } from './message-claims.js'

export interface EarlierDelivery {
  deviceId: bigint
  platform: ProviderPlatform
  status: 'PENDING' | 'SENT' | 'FAILED' | 'EXPIRED'
  /** Campaigns: the chunk that claimed it (null for messages). */
  chunk: number | null
}

/** Where claims of a message or of a campaign are kept. */
export type ClaimScope = { kind: 'message', messageId: string } | { kind: 'campaign', campaignId: string, chunk: number }

/** A device's outcome decided without a request (expired, not sendable): written as the claim itself. */
export interface Unattempted { target: DeviceTarget, status: 'FAILED' | 'EXPIRED', reason: string }

// A window of devices is claimed just before their first requests, with the time of the window
// (`claimed_at`). A PENDING claim of the chunk (no answer recorded) is claimed again: if the
// statement committed but its answer was lost (the database went away), the same window run again
// gets its own rows back instead of taking them for another holder's and never sending them; a
// claim of an earlier holder of the command is taken over, and this holder sends it again. Whether
// that holder's request ever reached the provider cannot be known — a request handed to the client
// may still wait for a connection — so it is never reported sent. (One statement: a second part
// that read the window's own earlier rows cost PostgreSQL a look-up per device, ~5% of its CPU.)
// Nothing is claimed while another handling of the command holds a live lease, or finished it
// (commands/lease.ts): that one took the command over, and the answer says so with a row of -1
// (device ids are positive). Nothing is claimed for a campaign removed meanwhile: the campaign is
// locked FOR KEY SHARE once per statement (`live`), as its foreign key did for every row (migration
// 20261205000000_campaign_delivery_statement_check), so a removal waits for this claim to commit
// and its trigger then removes the rows, or this claim waits for the removal and finds nothing.
// Single messages claim the windows of the commands in hand together (message-claims.ts).
//
// Prepared once per connection (named): after five runs planned with their values PostgreSQL runs
// its generic plan, the plan it chose with a window's values (on 1,000,000 claims, analyzed or
// not), without planning each of a campaign's thousands of windows (a plan invalidated by an
// ANALYZE is made again the same way). Planned each time it cost PostgreSQL 44-51 µs per
// notification against 39-44 prepared (100,000 users, 1 dispatcher, 4 runs each). Not grouped
// across the chunks in hand as the messages' are: measured with 2 dispatchers (50,000 users, twice
// each), a grouped statement cost PostgreSQL 141-144 µs per notification against 98-114 for a
// window each, and the campaign ran 10-15% slower.
/**
 * Rows (one) when another handling of the command holds its lease live or finished it, the
 * command's key and this holder's id being parameters `$key` and `$key + 1` (commands/lease.ts).
 */
export const takenOverBy = (key: number) =>
  `SELECT 1 FROM command_lease WHERE key = $${key}::text AND holder <> $${key + 1}::uuid AND (expires_at > now() OR done)`

const CLAIM_CAMPAIGN_WINDOW = {
  name: 'beacon-claim-campaign-window',
  text: `
  WITH t AS (SELECT * FROM unnest($2::bigint[], $3::text[]) AS t(device_id, platform)),
  overtaken AS (${takenOverBy(5)}),
  live AS (SELECT 1 FROM campaign WHERE id = $1::bigint FOR KEY SHARE),
  claimed AS (
    INSERT INTO campaign_delivery AS d (campaign_id, device_id, platform, claimed_at, chunk)
    SELECT $1::bigint, t.device_id, t.platform::"Platform", $4::timestamptz, $7::int FROM t
     WHERE NOT EXISTS (SELECT 1 FROM overtaken) AND EXISTS (SELECT 1 FROM live)
    ON CONFLICT (campaign_id, device_id) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
     WHERE d.status = 'PENDING' AND d.chunk = EXCLUDED.chunk
    RETURNING device_id)
  SELECT device_id FROM claimed
  UNION ALL
  SELECT -1 FROM overtaken`
}

// Over an earlier holder's PENDING claim too (this holder took it over to send it again):
// otherwise that claim would stay PENDING and its message or chunk never complete. Nothing while
// another handling of the command holds its lease live or finished it, as for a window's claim: a
// holder that stalled past its lease would otherwise write EXPIRED or FAILED over the claim the
// new holder has on the wire, and that holder's real answer would then be dropped (the recorder
// writes over PENDING claims only). The answer says so with a row of -1.
// A campaign's, only while the campaign is there (locked as by the window's claim above).
const recordUnattempted = (table: string, source: string, sourceType: string, chunk: boolean) => {
  const key = chunk ? 7 : 6 // the claimant's key and holder follow the chunk's number
  const live = chunk ? `live AS (SELECT 1 FROM campaign WHERE id = $1::${sourceType} FOR KEY SHARE),` : ''
  return `
  WITH overtaken AS (${takenOverBy(key)}),
  ${live}
  written AS (
    INSERT INTO ${table} AS d (${source}, device_id, platform, status, reason, attempts, completed_at${chunk ? ', chunk' : ''})
    SELECT $1::${sourceType}, t.device_id, t.platform::"Platform", t.status::"DeliveryStatus", t.reason, 0, now()${chunk ? ', $6::int' : ''}
      FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS t(device_id, platform, status, reason)
     WHERE NOT EXISTS (SELECT 1 FROM overtaken)${chunk ? ' AND EXISTS (SELECT 1 FROM live)' : ''}
    ON CONFLICT (${source}, device_id) DO UPDATE
      SET status = EXCLUDED.status, reason = EXCLUDED.reason, attempts = 0, completed_at = EXCLUDED.completed_at
      WHERE d.status = 'PENDING'${chunk ? ' AND d.chunk = EXCLUDED.chunk' : ''}
    RETURNING device_id)
  SELECT device_id FROM written
  UNION ALL
  SELECT -1 FROM overtaken`
}

const RECORD = {
  message: recordUnattempted('message_delivery', 'message_id', 'uuid', false),
  campaign: recordUnattempted('campaign_delivery', 'campaign_id', 'bigint', true)
}

// Only PENDING claims: a recorded outcome is never taken back.
const RELEASE = {
  message: 'DELETE FROM message_delivery WHERE message_id = $1::uuid AND device_id = ANY($2::bigint[]) AND status = \'PENDING\'',
  campaign: 'DELETE FROM campaign_delivery WHERE campaign_id = $1::bigint AND device_id = ANY($2::bigint[]) AND status = \'PENDING\' AND chunk = $3::int'
}

const sourceId = (scope: ClaimScope) => (scope.kind === 'message' ? scope.messageId : scope.campaignId)
const chunkParam = (scope: ClaimScope) => (scope.kind === 'campaign' ? [scope.chunk] : [])

/** Which handling of a command claims: its lease's key and its own holder id. */
export interface Claimant { key: string, holder: string }

// Module-level callbacks for the hot statements: an arrow written in the call is a new closure
// each time, whose optimised code V8 drops at each full collection (see send-with-retries.ts).
const idText = (target: DeviceTarget) => target.id.toString()
const platformOf = (target: DeviceTarget) => target.platform
const deviceIdOf = (row: { device_id: string }) => row.device_id

/** The device ids a guarded statement answered, and whether its row of -1 said it was overtaken (takenOverBy). */
function idsUnlessOvertaken (rows: Array<{ device_id: string }>): { ids: Set<string>, overtaken: boolean } {
  const ids = new Set(rows.map(deviceIdOf))
  const overtaken = ids.delete('-1')
  return { ids, overtaken }
}

/**
 * Claims devices for this holder just before their first requests; resolves with the ids (as
 * decimal strings) now this holder's. A device claimed meanwhile by someone else (another chunk
 * reaching a shared device, a second holder of the same command) is left to them. `overtaken`:
 * another handling of the command holds its lease; nothing was claimed.
 */
export async function claimTargets (db: Db, scope: ClaimScope, claimant: Claimant, targets: DeviceTarget[], at: Date): Promise<{ mine: Set<string>, overtaken: boolean }> {
  if (targets.length === 0) return { mine: new Set(), overtaken: false }
  // A single message's window goes with those of the other messages in hand (message-claims.ts).
  if (scope.kind === 'message') return claimMessageWindow(db, { messageId: scope.messageId, claimant, targets, at })
  const values = [scope.campaignId, targets.map(idText), targets.map(platformOf), at, claimant.key, claimant.holder, scope.chunk]
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await db.pool.query<{ device_id: string }>({ ...CLAIM_CAMPAIGN_WINDOW, values })
      const { ids: mine, overtaken } = idsUnlessOvertaken(rows)
      return { mine, overtaken }
    } catch (error) {
      if (sqlStateOf(error) !== DEADLOCK_DETECTED || attempt === DEADLOCK_ATTEMPTS) throw error
    }
  }
}

// A window's claim locks another chunk's claim of a device even as it refuses it (ON CONFLICT DO
// UPDATE … WHERE locks the row it finds), and a chunk's look-up leaves such devices to the claim
// (resolve-devices.ts): with two devices shared by users of two chunks, it can deadlock with the
// recorder writing the other chunk's answers, which go in the order they came. PostgreSQL aborts
// one of the two statements whole; the claim, run again, then waits for the other's commit. (The
// recorder's batch, if it is the one aborted, is redelivered.) Failed instead, the handling would
// spend one of the chunk's deliveries.
const DEADLOCK_DETECTED = '40P01'
const DEADLOCK_ATTEMPTS = 3

/**
 * Writes outcomes decided without a request as final records; resolves with the ids written.
 * `overtaken`: another handling of the command holds its lease or finished it; nothing was written.
 */
export async function recordUnattemptedOutcomes (db: Db, scope: ClaimScope, claimant: Claimant, entries: Unattempted[]): Promise<{ written: Set<string>, overtaken: boolean }> {
  if (entries.length === 0) return { written: new Set(), overtaken: false }
  const { rows } = await db.pool.query<{ device_id: string }>(RECORD[scope.kind], [
    sourceId(scope), entries.map((e) => e.target.id.toString()), entries.map((e) => e.target.platform),
    entries.map((e) => e.status), entries.map((e) => e.reason), ...chunkParam(scope), claimant.key, claimant.holder
  ])
  const { ids: written, overtaken } = idsUnlessOvertaken(rows)
  return { written, overtaken }
}

/** The claims of a command live here. */
export function scopeOf (command: Command): ClaimScope {
  return command.kind === 'message'
    ? { kind: 'message', messageId: command.messageId }
    : { kind: 'campaign', campaignId: command.campaignId, chunk: command.chunk }
}

const PENDING_CLAIMS = {
  message: 'SELECT device_id, platform::text AS platform FROM message_delivery WHERE message_id = $1::uuid AND status = \'PENDING\'',
  campaign: 'SELECT device_id, platform::text AS platform FROM campaign_delivery WHERE campaign_id = $1::bigint AND chunk = $2::int AND status = \'PENDING\''
}

/** Every claim of `scope` without a recorded answer, whoever made it. */
export async function pendingClaims (db: Db, scope: ClaimScope): Promise<Array<{ deviceId: bigint, platform: ProviderPlatform }>> {
  const { rows } = await db.pool.query<{ device_id: string, platform: ProviderPlatform }>(PENDING_CLAIMS[scope.kind], [sourceId(scope), ...chunkParam(scope)])
  return rows.map((row) => ({ deviceId: BigInt(row.device_id), platform: row.platform }))
}

// The recorder's own update (delivery-records.ts in the api) does the same over PENDING only, so
// whichever comes first wins and the other changes nothing.
const recordAnswersOf = (table: string, source: string, sourceType: string, chunk: boolean) => `
  UPDATE ${table} AS d SET status = r.status::"DeliveryStatus", reason = r.reason, attempts = r.attempts, completed_at = r.at
    FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::timestamptz[]) AS r(device_id, status, reason, attempts, at)
   WHERE d.${source} = $1::${sourceType} AND d.device_id = r.device_id AND d.status = 'PENDING'${chunk ? ' AND d.chunk = $7::int' : ''}`

const RECORD_ANSWERS = {
  message: recordAnswersOf('message_delivery', 'message_id', 'uuid', false),
  campaign: recordAnswersOf('campaign_delivery', 'campaign_id', 'bigint', true)
}

/**
 * Writes answers this holder has onto its claims before it gives the command back: the next
 * holder, which may start before the api recorded the published results, then does not send
 * those devices again.
 */
export async function recordAnswers (db: Db, scope: ClaimScope, results: DeviceResult[]): Promise<void> {
  if (results.length === 0) return
  await db.pool.query(RECORD_ANSWERS[scope.kind], [
    sourceId(scope), results.map((r) => r.deviceId), results.map((r) => r.status), results.map((r) => r.reason ?? null),
    results.map((r) => r.attempts), results.map((r) => r.at), ...chunkParam(scope)
  ])
}

/** Gives claims back (devices not in flight when the holder stops): the redelivery sends them. */
export async function releaseClaims (db: Db, scope: ClaimScope, deviceIds: bigint[]): Promise<void> {
  if (deviceIds.length === 0) return
  await db.pool.query(RELEASE[scope.kind], [sourceId(scope), deviceIds.map(String), ...chunkParam(scope)])
}
