import { groupCommit, type Db } from '@beacon/db'
import type { Claimant } from './claims.js'
import type { DeviceTarget } from './resolve-devices.js'

// The claim statement of claims.ts (read its comments first) for the windows of several single
// messages at once, each row with its own message, claim time and command lease: the commands in
// hand claim together (group-commit.ts), one statement and one commit for all of them. A command
// whose lease another handling holds claims nothing, and comes back as a row with device -1.
const CLAIM_MESSAGE_WINDOWS = {
  name: 'beacon-claim-message-windows',
  text: `
  WITH t AS (SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::timestamptz[], $5::text[], $6::uuid[])
                        AS t(message_id, device_id, platform, at, key, holder)),
  overtaken AS (SELECT DISTINCT t.key FROM t JOIN command_lease l ON l.key = t.key
                 WHERE l.holder <> t.holder AND (l.expires_at > now() OR l.done)),
  mine AS (SELECT t.* FROM t WHERE NOT EXISTS (SELECT 1 FROM overtaken o WHERE o.key = t.key)),
  claimed AS (
    INSERT INTO message_delivery AS d (message_id, device_id, platform, claimed_at)
    SELECT message_id, device_id, platform::"Platform", at FROM mine
    ON CONFLICT (message_id, device_id) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
     WHERE d.status = 'PENDING'
    RETURNING d.message_id, d.device_id)
  SELECT c.message_id::text, c.device_id FROM claimed c
  UNION ALL
  SELECT DISTINCT t.message_id::text, -1 FROM t JOIN overtaken o ON o.key = t.key`
}

export interface MessageWindow { messageId: string, claimant: Claimant, targets: DeviceTarget[], at: Date }
export interface ClaimedWindow { mine: Set<string>, overtaken: boolean }

const claimGroup = (db: Db) => async (windows: MessageWindow[]): Promise<ClaimedWindow[]> => {
  // Answers are told apart by message, then by device. One handling's windows of a message (its
  // APNs and its FCM window, asked at different times) hold different devices and go together; two
  // copies of one command (two holders) cannot be told apart: the group fails and each window is run again alone (group-commit.ts).
  const holders = new Map<string, string>()
  for (const w of windows) {
    if ((holders.get(w.messageId) ?? w.claimant.holder) !== w.claimant.holder) throw new Error('two handlings of one message in a group')
    holders.set(w.messageId, w.claimant.holder)
  }
  const rows = windows.flatMap((w) => w.targets.map((target) => ({ w, target })))
  const { rows: answers } = await db.pool.query<{ message_id: string, device_id: string }>({
    ...CLAIM_MESSAGE_WINDOWS,
    values: [
      rows.map((r) => r.w.messageId), rows.map((r) => r.target.id.toString()), rows.map((r) => r.target.platform),
      rows.map((r) => r.w.at), rows.map((r) => r.w.claimant.key), rows.map((r) => r.w.claimant.holder)
    ]
  })
  const claimed = new Set<string>()
  const overtaken = new Set<string>()
  for (const { message_id: messageId, device_id: deviceId } of answers) {
    if (deviceId === '-1') overtaken.add(messageId)
    else claimed.add(`${messageId}:${deviceId}`)
  }
  return windows.map((w) => {
    const mine = new Set<string>()
    for (const target of w.targets) if (claimed.has(`${w.messageId}:${target.id}`)) mine.add(target.id.toString())
    return { mine, overtaken: overtaken.has(w.messageId) }
  })
}

const perDb = new WeakMap<Db, (window: MessageWindow) => Promise<ClaimedWindow>>()

/**
 * Claims one single message's window, in one statement with the windows other commands ask for
 * meanwhile (two copies of one command claiming at once are run again each alone, as group-commit does for
 * any group that fails).
 */
export function claimMessageWindow (db: Db, window: MessageWindow): Promise<ClaimedWindow> {
  let claim = perDb.get(db)
  if (claim === undefined) {
    claim = groupCommit(claimGroup(db), { spacingMs: db.groupSpacingMs })
    perDb.set(db, claim)
  }
  return claim(window)
}
