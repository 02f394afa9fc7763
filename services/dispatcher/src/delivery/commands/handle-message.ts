import type { SendCommand } from '@beacon/contracts'
import type { CommandRun } from './run.js'
import { releaseClaims } from '../claims/claims.js'
import { deliver, type DispatchDeps } from '../sends/deliver.js'
import { giveBack } from './give-back.js'
import { resolveMessageDevices } from '../claims/message-devices.js'
import { countByPlatform } from '../sends/outcomes.js'

/**
 * One message, start to finish: resolve the user's devices (one statement), claim and send them as
 * slots free, publish the results with the summary (handleCommand then acknowledges it). A
 * redelivered command sends to every device without a recorded answer, the earlier holder's
 * unanswered claims included (they may never have reached the provider).
 */
export async function handleMessage (deps: DispatchDeps, run: CommandRun, command: SendCommand): Promise<void> {
  const source = { messageId: command.messageId }
  const scope = { kind: 'message' as const, messageId: command.messageId }
  const found = await run.hold(() => resolveMessageDevices(deps.db, command))
  const credentials = await run.hold(() => deps.credentials.atVersion(command.applicationId, found.credentialsVersion))
  await run.hold(() => releaseClaims(deps.db, scope, found.orphaned))
  let reason: string | undefined = credentials === null ? 'ApplicationNotFound' : undefined
  if (credentials !== null) {
    const delivered = await deliver(deps, run, credentials, command, found.unclaimed, source, scope)
    if (delivered.interrupted || run.overtaken) { await giveBack(deps, run, scope, delivered); return }
    reason ??= delivered.reason
  }
  const results = [...run.results.values()]
  const recorded = found.earlier.filter((e) => e.status !== 'PENDING')
  const summary = { messageId: command.messageId, ...countByPlatform([...recorded, ...results]), ...(reason === undefined ? {} : { reason }) }
  await run.hold(() => deps.transport.publishSummary(summary, results))
}
