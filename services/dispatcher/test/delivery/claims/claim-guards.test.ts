import { randomUUID } from 'node:crypto'
import { commandId } from '@beacon/contracts'
import t from 'tap'
import { claimTargets, pendingClaims, recordAnswers, recordUnattemptedOutcomes, releaseClaims, scopeOf, type Unattempted } from '../../../src/delivery/claims/claims.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import { startDbHarness, type DbHarness } from '../db-harness.js'
import { campaignClaimRows, messageClaimRows } from '../rows.js'

const target = (id: bigint): DeviceTarget => ({ id, platform: 'APNS', token: String(id), environment: 'PRODUCTION' })
const expired = (id: bigint): Unattempted => ({ target: target(id), status: 'EXPIRED', reason: 'Expired: validUntil passed before sending' })
const labels = (h: DbHarness, ids: Iterable<string | bigint>) => [...ids].map((id) => h.label(id)).sort()

/** A campaign of two chunks (users c0, c1) and devices labelled as given, all of user c1 (chunk 1's). */
async function campaignWith (h: DbHarness, devices: string[]) {
  const [, chunk] = await h.storeCampaign([['c0'], ['c1']])
  const ids: Record<string, bigint> = {}
  for (const label of devices) ids[label] = await h.addDevice(label, { userId: 'c1' })
  const campaignId = BigInt(chunk!.campaignId)
  const claim = (label: string, onChunk: number, status: 'PENDING' | 'SENT') =>
    h.db.campaignDelivery.create({ data: { campaignId, deviceId: ids[label]!, chunk: onChunk, platform: 'APNS', status, attempts: status === 'PENDING' ? 0 : 1 } })
  return { command: chunk!, scope: { kind: 'campaign' as const, campaignId: chunk!.campaignId, chunk: 1 }, ids, claim }
}

/** campaignWith's three kinds of claim: an answered one and a PENDING one on chunk 1, a PENDING one of chunk 0's. */
async function answeredPendingAndOtherChunk (h: DbHarness) {
  const campaign = await campaignWith(h, ['answered', 'pending', 'other-chunk'])
  await campaign.claim('answered', 1, 'SENT')
  await campaign.claim('pending', 1, 'PENDING')
  await campaign.claim('other-chunk', 0, 'PENDING')
  return campaign
}

// A copy of a chunk that finds another handling's lease live, or the command finished, claims
// nothing: that handling sends the devices (commands/lease.ts). Its own lease, or a lapsed one, does not stop it.
t.test('a chunk\'s window claims nothing while another handling holds the chunk\'s lease live or finished it; its own or a lapsed lease does not stop it', async (t) => {
  const h = await startDbHarness(t)
  const { command, scope, ids } = await campaignWith(h, ['d'])
  const claimant = { key: commandId(command), holder: randomUUID() }
  const lease = (holder: string, expires: string, done = false) => h.db.pool.query(
    `INSERT INTO command_lease (key, holder, expires_at, done) VALUES ($1, $2, now() + interval '${expires}', $3)
     ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, done = EXCLUDED.done`, [claimant.key, holder, done])
  const claim = () => claimTargets(h.db, scope, claimant, [target(ids.d!)], new Date())

  await lease(randomUUID(), '1 minute')
  t.same(await claim(), { mine: new Set(), overtaken: true }, 'another handling\'s live lease')
  await lease(randomUUID(), '-1 minute', true)
  t.same(await claim(), { mine: new Set(), overtaken: true }, 'another handling finished the chunk')
  t.same(await campaignClaimRows(h, command.campaignId), [], 'nothing claimed')

  await lease(randomUUID(), '-1 minute')
  t.same(await claim(), { mine: new Set([String(ids.d)]), overtaken: false }, 'another handling\'s lapsed lease: claimed')
  await lease(claimant.holder, '1 minute')
  t.same(await claim(), { mine: new Set([String(ids.d)]), overtaken: false }, 'its own live lease: its claim again')
})

// guarantee: overtaken-holder-stops
// The same guard for an outcome decided without a request (validUntil passed, a payload that
// cannot be prepared): a holder that stalled past its lease writes nothing over the claims of the
// handling that took the command over — that handling's answers stand — and learns it was overtaken.
t.test('outcomes decided without a request write nothing while another handling holds the command\'s lease live or finished it, and say so', async (t) => {
  const h = await startDbHarness(t)
  const { command, scope, ids, claim } = await campaignWith(h, ['taken-over', 'fresh'])
  const claimant = { key: commandId(command), holder: randomUUID() }
  const message = await h.storeMessage('c1')
  const messageScope = { kind: 'message' as const, messageId: message.messageId }
  const messageClaimant = { key: message.messageId, holder: randomUUID() }
  const lease = (key: string, holder: string, expires: string, done = false) => h.db.pool.query(
    `INSERT INTO command_lease (key, holder, expires_at, done) VALUES ($1, $2, now() + interval '${expires}', $3)
     ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, done = EXCLUDED.done`, [key, holder, done])
  // The new holder's claim, its request on the wire.
  await claim('taken-over', 1, 'PENDING')
  await h.db.messageDelivery.create({ data: { messageId: message.messageId, deviceId: ids['taken-over']!, platform: 'APNS' } })
  const record = () => recordUnattemptedOutcomes(h.db, scope, claimant, [expired(ids['taken-over']!), expired(ids.fresh!)])
  const recordMessage = () => recordUnattemptedOutcomes(h.db, messageScope, messageClaimant, [expired(ids['taken-over']!), expired(ids.fresh!)])

  await lease(claimant.key, randomUUID(), '1 minute')
  await lease(messageClaimant.key, randomUUID(), '1 minute')
  t.same(await record(), { written: new Set(), overtaken: true }, 'a chunk: another handling\'s live lease')
  t.same(await recordMessage(), { written: new Set(), overtaken: true }, 'a message: another handling\'s live lease')
  await lease(claimant.key, randomUUID(), '-1 minute', true)
  t.same(await record(), { written: new Set(), overtaken: true }, 'another handling finished the chunk')
  t.same(await campaignClaimRows(h, command.campaignId), [['taken-over', 1, 'PENDING', null, 0, false]], 'the new holder\'s claim untouched, nothing else written')
  t.same(await messageClaimRows(h, message.messageId), [['taken-over', 'PENDING', null, 0, false]])

  await lease(claimant.key, randomUUID(), '-1 minute')
  const both = new Set([String(ids['taken-over']), String(ids.fresh)])
  t.same(await record(), { written: both, overtaken: false }, 'another handling\'s lapsed lease: written, over the PENDING claim too')
  await lease(messageClaimant.key, messageClaimant.holder, '1 minute')
  t.same(await recordMessage(), { written: both, overtaken: false }, 'its own live lease: written')
})

// An outcome decided without a request is written as the claim only over nothing or over this
// scope's PENDING claim: never over a recorded answer, nor over another chunk's claim (that chunk
// sends the device and reports it); the ids it answers are those written.
t.test('outcomes decided without a request never overwrite a recorded answer or another chunk\'s claim, and name only the rows they wrote', async (t) => {
  const h = await startDbHarness(t)
  const { command, scope, ids, claim } = await campaignWith(h, ['answered', 'pending', 'fresh', 'other-chunk'])
  await claim('answered', 1, 'SENT')
  await claim('pending', 1, 'PENDING')
  await claim('other-chunk', 0, 'PENDING')
  const { written } = await recordUnattemptedOutcomes(h.db, scope, { key: commandId(command), holder: randomUUID() }, Object.values(ids).map(expired))
  t.same(labels(h, written), ['fresh', 'pending'])
  const reason = 'Expired: validUntil passed before sending'
  t.same(await campaignClaimRows(h, command.campaignId), [['answered', 1, 'SENT', null, 1, false], ['fresh', 1, 'EXPIRED', reason, 0, false],
    ['other-chunk', 0, 'PENDING', null, 0, false], ['pending', 1, 'EXPIRED', reason, 0, false]])

  const message = await h.storeMessage('c1')
  const messageScope = { kind: 'message' as const, messageId: message.messageId }
  await h.db.messageDelivery.create({ data: { messageId: message.messageId, deviceId: ids.answered!, platform: 'APNS', status: 'FAILED', reason: 'BadDeviceToken', attempts: 1 } })
  await h.db.messageDelivery.create({ data: { messageId: message.messageId, deviceId: ids.pending!, platform: 'APNS' } })
  const messageClaimant = { key: message.messageId, holder: randomUUID() }
  t.same(labels(h, (await recordUnattemptedOutcomes(h.db, messageScope, messageClaimant, [expired(ids.answered!), expired(ids.pending!)])).written), ['pending'])
  t.same(await messageClaimRows(h, message.messageId), [['answered', 'FAILED', 'BadDeviceToken', 1, false], ['pending', 'EXPIRED', reason, 0, false]])
})

// Releasing gives back unanswered claims (the next holder sends them): a recorded answer stays.
t.test('releasing claims removes only unanswered ones, of this chunk or message; recorded answers stay', async (t) => {
  const h = await startDbHarness(t)
  const { command, scope, ids } = await answeredPendingAndOtherChunk(h)
  await releaseClaims(h.db, scope, Object.values(ids))
  t.same(await campaignClaimRows(h, command.campaignId), [['answered', 1, 'SENT', null, 1, false], ['other-chunk', 0, 'PENDING', null, 0, false]])

  const message = await h.storeMessage('c1')
  await h.db.messageDelivery.create({ data: { messageId: message.messageId, deviceId: ids.answered!, platform: 'APNS', status: 'SENT', attempts: 1 } })
  await h.db.messageDelivery.create({ data: { messageId: message.messageId, deviceId: ids.pending!, platform: 'APNS' } })
  await releaseClaims(h.db, { kind: 'message', messageId: message.messageId }, [ids.answered!, ids.pending!])
  t.same(await messageClaimRows(h, message.messageId), [['answered', 'SENT', null, 1, false]])
})

// A command failed on its last delivery reports these as failed (terminal.ts): answered claims
// and another chunk's claims are not its to report.
t.test('a command\'s unanswered claims: PENDING ones only, of its own chunk', async (t) => {
  const h = await startDbHarness(t)
  const { command, scope, ids } = await answeredPendingAndOtherChunk(h)
  t.same(labels(h, (await pendingClaims(h.db, scope)).map((c) => c.deviceId)), ['pending'])
  t.same(labels(h, (await pendingClaims(h.db, scopeOf(command))).map((c) => c.deviceId)), ['pending'], 'the chunk command\'s own scope')

  const message = await h.storeMessage('c1')
  await h.db.messageDelivery.create({ data: { messageId: message.messageId, deviceId: ids.answered!, platform: 'APNS', status: 'FAILED', attempts: 1 } })
  await h.db.messageDelivery.create({ data: { messageId: message.messageId, deviceId: ids.pending!, platform: 'APNS' } })
  t.same((await pendingClaims(h.db, { kind: 'message', messageId: message.messageId })).map((c) => [h.label(c.deviceId), c.platform]), [['pending', 'APNS']])
})

// A message's window (claimed with the other commands in hand, message-claims.ts) takes an
// unanswered claim over, never a recorded answer; answers written at a give-back go onto
// unanswered claims only (whichever answer came first stays).
t.test('a message\'s window does not claim a device already answered; answers written at a give-back do not replace a recorded one', async (t) => {
  const h = await startDbHarness(t)
  const message = await h.storeMessage('u')
  const answered = await h.addDevice('answered', { userId: 'u' })
  const pending = await h.addDevice('pending', { userId: 'u' })
  await h.db.messageDelivery.create({ data: { messageId: message.messageId, deviceId: answered, platform: 'APNS', status: 'FAILED', reason: 'BadDeviceToken', attempts: 1 } })
  await h.db.messageDelivery.create({ data: { messageId: message.messageId, deviceId: pending, platform: 'APNS' } })
  const scope = scopeOf(message)
  const claimed = await claimTargets(h.db, scope, { key: message.messageId, holder: randomUUID() }, [target(answered), target(pending)], new Date())
  t.same(claimed, { mine: new Set([String(pending)]), overtaken: false })

  const at = new Date().toISOString()
  await recordAnswers(h.db, scope, [answered, pending].map((id) => ({ messageId: message.messageId, deviceId: String(id), platform: 'APNS', status: 'SENT', attempts: 2, at, tokenInvalid: false })))
  t.same(await messageClaimRows(h, message.messageId), [['answered', 'FAILED', 'BadDeviceToken', 1, false], ['pending', 'SENT', null, 2, false]])
})

// A chunk giving its command back writes the answers it has onto its own claims only: a device
// shared with another chunk's user is that chunk's claim (it sends and reports the device), and
// an answer written over it would end that chunk's claim unsent, its real outcome never recorded.
t.test('answers a chunk writes at a give-back go onto its own unanswered claims, never onto another chunk\'s claim of the device', async (t) => {
  const h = await startDbHarness(t)
  const { command, scope, ids } = await answeredPendingAndOtherChunk(h)
  const at = new Date().toISOString()
  await recordAnswers(h.db, scope, Object.values(ids).map((id) => ({
    campaignId: command.campaignId, chunk: 1, deviceId: String(id), platform: 'APNS' as const, status: 'FAILED' as const, reason: 'Unregistered', attempts: 2, at, tokenInvalid: true
  })))
  t.same(await campaignClaimRows(h, command.campaignId), [['answered', 1, 'SENT', null, 1, false], ['other-chunk', 0, 'PENDING', null, 0, false],
    ['pending', 1, 'FAILED', 'Unregistered', 2, false]], 'the recorded answer and chunk 0\'s claim are untouched')
})

// Only a handling of this very chunk overtakes it: other chunks of the campaign, handled at the
// same time by other dispatchers, hold leases of their own. Taken for this chunk's, they would
// stop it (neither acknowledged nor given back) and its devices would wait for a redelivery.
t.test('another chunk\'s live lease does not stop this chunk\'s window', async (t) => {
  const h = await startDbHarness(t)
  const { command, scope, ids } = await campaignWith(h, ['d'])
  const other = commandId({ ...command, chunk: 0 })
  await h.db.pool.query("INSERT INTO command_lease (key, holder, expires_at) VALUES ($1, $2, now() + interval '1 minute')", [other, randomUUID()])
  const claimant = { key: commandId(command), holder: randomUUID() }
  t.same(await claimTargets(h.db, scope, claimant, [target(ids.d!)], new Date()), { mine: new Set([String(ids.d)]), overtaken: false })
})
