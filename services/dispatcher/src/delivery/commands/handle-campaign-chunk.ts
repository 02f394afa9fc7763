import type { CampaignChunkCommand } from '@beacon/contracts'
import type { CommandRun } from './run.js'
import { releaseClaims } from '../claims/claims.js'
import { deliver, type DispatchDeps } from '../sends/deliver.js'
import { giveBack } from './give-back.js'
import { countByPlatform } from '../sends/outcomes.js'
import { resolveCampaignDevices } from '../claims/resolve-devices.js'
import { streamResults } from './result-stream.js'

/**
 * One chunk of a campaign: the devices of its users, each claimed for the campaign just before its
 * request, so a device shared by users in several chunks, or a chunk redelivered after a crash,
 * reaches the device once. Campaigns are alerts at HIGH priority.
 */
export async function handleCampaignChunk (deps: DispatchDeps, run: CommandRun, command: CampaignChunkCommand, leavePlace?: () => void): Promise<void> {
  const source = { campaignId: command.campaignId, chunk: command.chunk }
  const scope = { kind: 'campaign' as const, campaignId: command.campaignId, chunk: command.chunk }
  const credentials = await run.hold(() => deps.credentials.load(command.applicationId))
  const found = credentials === null ? { unclaimed: [], earlier: [], orphaned: [] } : await run.hold(() => resolveCampaignDevices(deps.db, command))
  // An unanswered claim of this chunk means this chunk's previous holder died mid-send: it is sent again.
  await run.hold(() => releaseClaims(deps.db, scope, found.orphaned))
  // Answers are published as they come: a redelivery after a crash finds them recorded.
  const stream = streamResults(deps.transport, run)
  run.onResults = (results) => stream.add(results)
  try {
    if (credentials !== null) {
      const delivered = await deliver(deps, run, credentials, { silent: false, priority: 'HIGH', body: command.body }, found.unclaimed, source, scope, leavePlace)
      // A platform that cannot be sent (credentials…) fails its devices one by one, with the reason.
      if (delivered.interrupted || run.overtaken) {
        await stream.end().catch(() => {}) // giveBack publishes every known result again anyway
        await giveBack(deps, run, scope, delivered)
        return
      }
    }
  } finally {
    run.onResults = undefined
  }
  await stream.end()
  const results = [...run.results.values()]
  const counts = countByPlatform([...found.earlier.filter((e) => e.status !== 'PENDING'), ...results])
  await run.hold(() => deps.transport.publishChunkSummary({ campaignId: command.campaignId, chunk: command.chunk, ...counts }))
}
