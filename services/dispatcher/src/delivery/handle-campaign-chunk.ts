import type { CampaignChunkCommand } from '@beacon/contracts'
import type { CommandDelivery } from '@beacon/transport'
import { claimDevices } from './claims.js'
import { deliver, unconfirmedResults, type DispatchDeps } from './deliver.js'
import { countByPlatform } from './outcomes.js'
import { resolveCampaignDevices } from './resolve-devices.js'

/**
 * One chunk of a campaign: the devices of its users, each claimed for the campaign before it is
 * sent, so a device shared by users in several chunks, or a chunk redelivered after a crash,
 * reaches the device once. Campaigns are alerts at HIGH priority.
 */
export async function handleCampaignChunk (deps: DispatchDeps, delivery: CommandDelivery, command: CampaignChunkCommand): Promise<void> {
  const source = { campaignId: command.campaignId }
  const credentials = await deps.credentials.load(command.applicationId)
  const targets = credentials === null ? [] : await resolveCampaignDevices(deps.db, command)
  const claim = await claimDevices(deps.db, { kind: 'campaign', campaignId: command.campaignId, chunk: command.chunk }, targets)
  // Claims of other chunks are theirs to report; an unanswered claim of this chunk means this
  // chunk's previous holder died mid-send.
  const ownEarlier = claim.earlier.filter((e) => e.chunk === command.chunk)
  const results = unconfirmedResults(source, ownEarlier.filter((e) => e.status === 'PENDING'))
  if (credentials !== null) {
    const sent = await deliver(deps, delivery, credentials, { silent: false, priority: 'HIGH', body: command.body }, claim.mine, source)
    results.push(...sent.results)
  }
  if (results.length > 0) await deps.transport.publishDeviceResults(results)
  const counts = countByPlatform([...ownEarlier.filter((e) => e.status !== 'PENDING'), ...results])
  await deps.transport.publishChunkSummary({ campaignId: command.campaignId, chunk: command.chunk, ...counts })
  await delivery.ack()
}
