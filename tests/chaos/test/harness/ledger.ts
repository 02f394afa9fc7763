import type { Pipeline } from '@beacon/testkit'
import type { Test } from 'tap'
import { eventually } from './faults.js'
import type { SeededDevice } from './seed.js'
import { SETTLE_TIMEOUT_MS } from './settings.js'

/** The messages and campaigns whose outcome a case checks. */
export interface Scope { messageIds?: string[], campaignIds?: string[] }

export interface LedgerRules {
  /** Accepted requests beyond the first, summed over the devices, that the fault may cause. */
  maxDuplicates: number
  /** Why that bound (printed with the assertion). */
  bound: string
  /**
   * Devices whose claims had no recorded answer at the fault (`unansweredClaims`): only these may be
   * accepted twice, none more than twice. Exact where a count by the mock's clock is not (a busy
   * machine stretches the moments around a fault).
   */
  mayRepeat?: { devices: Set<string>, at: string }
  /** 'all' (default): every device reached a provider; 'none': none may have (a command that must never be sent). */
  reach?: 'all' | 'none'
  /** FAILED/EXPIRED reasons that honestly never reached a provider (expired, poison); none by default. */
  unsentReason?: RegExp
  /** Every device has a terminal delivery record (default true; a message failed as a whole may have none). */
  everyDeviceReported?: boolean
}

interface DeliveryRow { device_id: string, status: 'PENDING' | 'SENT' | 'FAILED' | 'EXPIRED', reason: string | null }

export interface Ledger {
  devices: number
  /** Devices a provider mock received at least once. */
  reached: number
  /** Requests the mocks accepted (200) beyond the first per device. */
  duplicates: number
  /** Devices accepted more than once, with how many times. */
  repeated: Array<{ deviceId: string, accepted: number }>
  /** Requests the mocks received for these devices, retries included. */
  receipts: number
  /** Devices with a terminal (SENT, FAILED, EXPIRED) delivery record. */
  reported: number
  rows: DeliveryRow[]
  /** Records whose outcome no provider answer supports (SENT never accepted, FAILED never tried or accepted). */
  misreported: Array<DeliveryRow & { token: string, platform: string, answers: string }>
  pending: number
  messages: Array<{ id: string, completed: boolean, failureReason: string | null }>
  campaigns: Array<{ id: string, sent: boolean, progress: { sent: number, failed: number, pending: number, total: number } }>
}

/** What the mocks saw of `devices` and what the api recorded for `scope`. */
export async function readLedger (stack: Pipeline, devices: SeededDevice[], scope: Scope, rules: Pick<LedgerRules, 'unsentReason'> = {}): Promise<Ledger> {
  const answersOf = (device: SeededDevice) => (device.platform === 'APNS' ? stack.apns.received(device.token) : stack.fcm.received(device.token)).map((entry) => entry.status)
  const byId = new Map(devices.map((device) => [device.id.toString(), device]))
  const { rows } = await stack.db.pool.query<DeliveryRow>(
    `SELECT device_id::text, status::text, reason FROM message_delivery WHERE message_id = ANY($1::uuid[])
     UNION ALL
     SELECT device_id::text, status::text, reason FROM campaign_delivery WHERE campaign_id = ANY($2::bigint[])`,
    [scope.messageIds ?? [], scope.campaignIds ?? []])
  let reached = 0
  let duplicates = 0
  let receipts = 0
  const repeated: Ledger['repeated'] = []
  for (const device of devices) {
    const answers = answersOf(device)
    receipts += answers.length
    if (answers.length > 0) reached++
    const accepted = answers.filter((status) => status === 200).length
    duplicates += Math.max(0, accepted - 1)
    if (accepted > 1) repeated.push({ deviceId: device.id.toString(), accepted })
  }
  const misreported = rows.flatMap((row) => {
    const device = byId.get(row.device_id)
    if (device === undefined || row.status === 'PENDING') return []
    const answers = answersOf(device)
    const accepted = answers.includes(200)
    const honest = row.status === 'SENT'
      ? accepted
      : !accepted && (answers.length > 0 || (rules.unsentReason?.test(row.reason ?? '') ?? false))
    return honest ? [] : [{ ...row, token: device.token.slice(0, 12), platform: device.platform, answers: answers.join(',') || 'none' }]
  })
  // What the api answers (no api left answering: nothing reads as complete).
  const detail = (path: string) => stack.call('GET', path).then((response) => response.body.responseObject, () => undefined)
  const messages = await Promise.all((scope.messageIds ?? []).map(async (id) => {
    const message = await detail(`/push/message/${id}/detail`)
    return { id, completed: message?.completed === true, failureReason: message?.failureReason ?? null }
  }))
  const campaigns = await Promise.all((scope.campaignIds ?? []).map(async (id) => {
    const campaign = await detail(`/push/campaign/${id}/detail`)
    return { id, sent: campaign?.sent === true, progress: campaign?.progress }
  }))
  const terminal = new Set(rows.filter((row) => row.status !== 'PENDING' && byId.has(row.device_id)).map((row) => row.device_id))
  return {
    devices: devices.length,
    reached,
    duplicates,
    repeated,
    receipts,
    reported: terminal.size,
    rows,
    misreported,
    pending: rows.filter((row) => row.status === 'PENDING').length,
    messages,
    campaigns
  }
}

/**
 * The invariants for one case, each its own assertion: every device reached (or, for a
 * command that must never go out, none), duplicates within the stated bound, no outcome recorded
 * that no provider answer supports, everything terminal. Prints the closing note's line.
 */
export async function assertLedger (t: Test, stack: Pipeline, devices: SeededDevice[], scope: Scope, rules: LedgerRules): Promise<Ledger> {
  const ledger = await readLedger(stack, devices, scope, rules)
  t.comment(`devices=${ledger.devices} reached=${ledger.reached} duplicates=${ledger.duplicates} reported=${ledger.reported}` +
    ` (receipts=${ledger.receipts} misreported=${ledger.misreported.length} pending=${ledger.pending})`)
  if ((rules.reach ?? 'all') === 'all') t.equal(ledger.reached, ledger.devices, 'every device reached a provider at least once')
  else t.equal(ledger.reached, 0, 'no device reached a provider')
  t.ok(ledger.duplicates <= rules.maxDuplicates, `duplicates ${ledger.duplicates} within the bound ${rules.maxDuplicates} (${rules.bound})`)
  if (rules.mayRepeat !== undefined) {
    const { devices: unanswered, at } = rules.mayRepeat
    t.same(ledger.repeated.filter((r) => !unanswered.has(r.deviceId)), [], `every device accepted twice had no recorded answer ${at} (${ledger.repeated.length} repeated of ${unanswered.size} unanswered then)`)
    t.same(ledger.repeated.filter((r) => r.accepted > 2), [], 'no device accepted more than twice (one fault, one resend)')
  }
  t.same(ledger.misreported.slice(0, 5), [], `no outcome recorded that the providers' answers do not support (${ledger.misreported.length} records)`)
  t.equal(ledger.pending, 0, 'no delivery left PENDING')
  if (rules.everyDeviceReported ?? true) t.equal(ledger.reported, ledger.devices, 'every device has a terminal outcome')
  for (const message of ledger.messages.filter((m) => !m.completed).slice(0, 3)) t.fail(`message ${message.id} not completed`)
  t.equal(ledger.messages.filter((m) => m.completed).length, ledger.messages.length, 'every message completed')
  for (const campaign of ledger.campaigns) {
    t.ok(campaign.sent, `campaign ${campaign.id} reads sent (progress ${JSON.stringify(campaign.progress)})`)
    t.equal(campaign.progress?.pending, 0, `campaign ${campaign.id} has nothing pending`)
  }
  return ledger
}

/**
 * Devices among `devices` with a claim that has no recorded answer (PENDING) now: read right after
 * a fault, what its next holder may send again.
 */
export async function unansweredClaims (stack: Pipeline, devices: SeededDevice[]): Promise<Set<string>> {
  const { rows } = await stack.db.pool.query<{ device_id: string }>(
    `SELECT device_id::text FROM message_delivery WHERE device_id = ANY($1::bigint[]) AND status = 'PENDING'
     UNION SELECT device_id::text FROM campaign_delivery WHERE device_id = ANY($1::bigint[]) AND status = 'PENDING'`,
    [devices.map((device) => device.id.toString())])
  return new Set(rows.map((row) => row.device_id))
}

/** Whether every message and campaign of `scope` is complete (read from the database). */
export async function allComplete (stack: Pipeline, scope: Scope): Promise<boolean> {
  const { rows: [row] } = await stack.db.pool.query<{ open: number }>(
    `SELECT (SELECT count(*) FROM message WHERE id = ANY($1::uuid[]) AND completed_at IS NULL)
          + (SELECT count(*) FROM campaign WHERE id = ANY($2::bigint[]) AND completed_at IS NULL)
          + (SELECT $3::int - count(*) FROM message WHERE id = ANY($1::uuid[]))
          + (SELECT $4::int - count(*) FROM campaign WHERE id = ANY($2::bigint[])) AS open`,
    [scope.messageIds ?? [], scope.campaignIds ?? [], scope.messageIds?.length ?? 0, scope.campaignIds?.length ?? 0])
  return Number(row?.open) === 0
}

/**
 * Waits (up to SETTLE_TIMEOUT_MS) for every message and campaign of `scope` to complete, asserts
 * that they did, and says how long it took after `since` (the fault, or the end of an outage).
 */
export async function settle (t: Test, stack: Pipeline, scope: Scope, what: string, since: { at: number, event: string }): Promise<void> {
  const done = await eventually(() => allComplete(stack, scope), SETTLE_TIMEOUT_MS)
  t.ok(done, what)
  t.comment(`${done ? 'completed' : 'still incomplete'} ${Date.now() - since.at} ms after ${since.event}`)
}
