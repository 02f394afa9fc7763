import type { CampaignChunkCommand } from '@beacon/contracts'
import type { CommandRun } from './command-run.js'
import { deliver, unconfirmedResults, type DispatchDeps } from './deliver.js'
import { giveBack } from './give-back.js'
import { countByPlatform } from './outcomes.js'
import { resolveCampaignDevices } from './resolve-devices.js'

/**
 * One chunk of a campaign: the devices of its users, each claimed for the campaign just before its
 * request, so a device shared by users in several chunks, or a chunk redelivered after a crash,
 * reaches the device once. Campaigns are alerts at HIGH priority.
 */
export async function handleCampaignChunk (deps: DispatchDeps, run: CommandRun, command: CampaignChunkCommand): Promise<void> {
  const source = { campaignId: command.campaignId }
  const scope = { kind: 'campaign' as const, campaignId: command.campaignId, chunk: command.chunk }
  const credentials = await run.hold(() => deps.credentials.load(command.applicationId))
  const found = credentials === null ? { unclaimed: [], earlier: [] } : await run.hold(() => resolveCampaignDevices(deps.db, command))
  // An unanswered claim of this chunk means this chunk's previous holder died mid-send.
  run.addResults(unconfirmedResults(source, found.earlier.filter((e) => e.status === 'PENDING')))
  if (credentials !== null) {
    const delivered = await deliver(deps, run, credentials, { silent: false, priority: 'HIGH', body: command.body }, found.unclaimed, source, scope)
    // A platform that cannot be sent (credentials…) fails its devices one by one, with the reason.
    if (delivered.interrupted) { await giveBack(deps, run, scope, delivered); return }
  }
  const results = [...run.results.values()]
  if (results.length > 0) await run.hold(() => deps.transport.publishDeviceResults(results))
  const counts = countByPlatform([...found.earlier.filter((e) => e.status !== 'PENDING'), ...results])
  await run.hold(() => deps.transport.publishChunkSummary({ campaignId: command.campaignId, chunk: command.chunk, ...counts }))
  await run.delivery.ack()
}
