import { groupCommit, type Db } from '@beacon/db'
import type { Claimant } from './claims.js'
import type { ClaimedWindow } from './message-claims.js'
import type { DeviceTarget } from './resolve-devices.js'

// The claim statement of claims.ts (read its comments first) for the windows of several campaign
// chunks at once, each row with its own campaign, chunk, claim time and command lease: the chunks
// in hand claim together (group-commit.ts), one statement and one commit for all of them. A
// window of ~30 devices (an eighth of a sender's slots) cost PostgreSQL about twice as much per
// device as one of 250: the statement's own cost (planning, commit) was most of it.
// Two chunks of one campaign may reach the same device (a device shared by users of both): the
// insert takes it once (the lower chunk), as two statements one after the other would have
// given it to the first; the other chunk finds it claimed. The second part (rows this very window
// claimed before, its answer lost) reads every window, deduplicated or not.
// Planned with its own values each time, as claims.ts's was: a generic plan cannot know a group's size.
const CLAIM_CAMPAIGN_WINDOWS = `
  WITH t AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::bigint[], $4::text[], $5::timestamptz[], $6::text[], $7::uuid[])
                        AS t(campaign_id, chunk, device_id, platform, at, key, holder)),
  overtaken AS (SELECT DISTINCT t.key FROM t JOIN command_lease l ON l.key = t.key
                 WHERE l.holder <> t.holder AND (l.expires_at > now() OR l.done)),
  mine AS (SELECT t.* FROM t WHERE NOT EXISTS (SELECT 1 FROM overtaken o WHERE o.key = t.key)),
  claimed AS (
    INSERT INTO campaign_delivery AS d (campaign_id, device_id, platform, claimed_at, chunk)
    SELECT DISTINCT ON (campaign_id, device_id) campaign_id, device_id, platform::"Platform", at, chunk
      FROM mine ORDER BY campaign_id, device_id, chunk
    ON CONFLICT (campaign_id, device_id) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
     WHERE d.status = 'PENDING' AND d.claimed_at <> EXCLUDED.claimed_at AND d.chunk = EXCLUDED.chunk
    RETURNING d.campaign_id, d.chunk, d.device_id)
  SELECT c.campaign_id::text, c.chunk, c.device_id FROM claimed c
  UNION ALL
  SELECT d.campaign_id::text, d.chunk, d.device_id FROM campaign_delivery d
    JOIN mine ON mine.campaign_id = d.campaign_id AND mine.device_id = d.device_id
   WHERE d.status = 'PENDING' AND d.claimed_at = mine.at AND d.chunk = mine.chunk
  UNION ALL
  SELECT DISTINCT t.campaign_id::text, t.chunk, -1 FROM t JOIN overtaken o ON o.key = t.key`

export interface CampaignWindow { campaignId: string, chunk: number, claimant: Claimant, targets: DeviceTarget[], at: Date }

const windowKey = (campaignId: string, chunk: number) => `${campaignId}:${chunk}`

const claimGroup = (db: Db) => async (windows: CampaignWindow[]): Promise<ClaimedWindow[]> => {
  // Answers are told apart by chunk, then by device. One handling's windows of a chunk (its APNs
  // and its FCM window, asked at different times) hold different devices and go together; two
  // copies of one command (two holders) cannot be told apart: the group fails and each window is run again alone (group-commit.ts).
  const holders = new Map<string, string>()
  for (const w of windows) {
    const key = windowKey(w.campaignId, w.chunk)
    if ((holders.get(key) ?? w.claimant.holder) !== w.claimant.holder) throw new Error('two handlings of one campaign chunk in a group')
    holders.set(key, w.claimant.holder)
  }
  const rows = windows.flatMap((w) => w.targets.map((target) => ({ w, target })))
  const { rows: answers } = await db.pool.query<{ campaign_id: string, chunk: number, device_id: string }>(CLAIM_CAMPAIGN_WINDOWS, [
    rows.map((r) => r.w.campaignId), rows.map((r) => r.w.chunk), rows.map((r) => r.target.id.toString()), rows.map((r) => r.target.platform),
    rows.map((r) => r.w.at), rows.map((r) => r.w.claimant.key), rows.map((r) => r.w.claimant.holder)
  ])
  const claimed = new Set<string>()
  const overtaken = new Set<string>()
  for (const { campaign_id: campaignId, chunk, device_id: deviceId } of answers) {
    if (deviceId === '-1') overtaken.add(windowKey(campaignId, chunk))
    else claimed.add(`${windowKey(campaignId, chunk)}:${deviceId}`)
  }
  return windows.map((w) => {
    const key = windowKey(w.campaignId, w.chunk)
    const mine = new Set<string>()
    for (const target of w.targets) if (claimed.has(`${key}:${target.id}`)) mine.add(target.id.toString())
    return { mine, overtaken: overtaken.has(key) }
  })
}

const perDb = new WeakMap<Db, (window: CampaignWindow) => Promise<ClaimedWindow>>()

/**
 * Claims one campaign chunk's window, in one statement with the windows the other chunks in hand
 * ask for meanwhile (two copies of one chunk claiming at once are run again each alone, as group-commit does
 * for any group that fails).
 */
export function claimCampaignWindow (db: Db, window: CampaignWindow): Promise<ClaimedWindow> {
  let claim = perDb.get(db)
  if (claim === undefined) {
    claim = groupCommit(claimGroup(db))
    perDb.set(db, claim)
  }
  return claim(window)
}
