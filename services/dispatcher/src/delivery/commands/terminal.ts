import type { DeviceResult } from '@beacon/contracts'
import { pendingClaims, scopeOf } from '../claims/claims.js'
import type { CommandRun } from './run.js'
import type { DispatchDeps } from '../sends/deliver.js'
import { countByPlatform } from '../sends/outcomes.js'
import { countSend } from '../../metrics/sends.js'

/** The reason of a command that failed on its last delivery (see the dispatcher's log for why). */
export const DISPATCH_FAILED = 'DispatchFailed'

/**
 * A command failed on its last delivery (for a reason other than an outage): nothing would ever
 * finish it, so it ends here as FAILED. Results are what this holder knows: the answers it got,
 * and every claim of the command still without one (this holder's or an earlier one's) as failed
 * with the reason, marked unconfirmed (whether its request reached the provider is unknown; a real
 * answer recorded later replaces it). The message's summary (or the chunk's) carries the reason.
 * Devices never claimed stay unsent.
 */
export async function endFailed (deps: DispatchDeps, run: CommandRun): Promise<void> {
  const { command } = run.delivery
  const source = command.kind === 'message' ? { messageId: command.messageId } : { campaignId: command.campaignId, chunk: command.chunk }
  const at = new Date().toISOString()
  const results: DeviceResult[] = [...run.results.values()]
  // The database's PENDING claims are every unanswered one, this holder's and any earlier holder's.
  for (const { deviceId, platform } of await run.hold(() => pendingClaims(deps.db, scopeOf(command)))) {
    if (run.results.has(deviceId.toString())) continue
    results.push({ ...source, deviceId: deviceId.toString(), platform, status: 'FAILED', reason: DISPATCH_FAILED, unconfirmed: true, tokenInvalid: false, attempts: 0, at })
    countSend(platform, 'FAILED', DISPATCH_FAILED)
  }
  const counts = countByPlatform(results)
  if (command.kind === 'message') {
    await run.hold(() => deps.transport.publishSummary({ messageId: command.messageId, ...counts, reason: DISPATCH_FAILED }, results))
  } else {
    if (results.length > 0) await run.hold(() => deps.transport.publishDeviceResults(results))
    await run.hold(() => deps.transport.publishChunkSummary({ campaignId: command.campaignId, chunk: command.chunk, ...counts, reason: DISPATCH_FAILED }))
  }
  await run.delivery.ack()
}
