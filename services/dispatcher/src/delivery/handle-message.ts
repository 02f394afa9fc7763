import type { SendCommand } from '@beacon/contracts'
import type { CommandDelivery } from '@beacon/transport'
import { deliver, unconfirmedResults, type DispatchDeps } from './deliver.js'
import { claimMessageDevices } from './message-claims.js'
import { countByPlatform } from './outcomes.js'

/**
 * One message, start to finish: resolve the user's devices and claim them (one statement), send with retries,
 * publish the results with the summary, and only then acknowledge the command.
 */
export async function handleMessage (deps: DispatchDeps, delivery: CommandDelivery, command: SendCommand): Promise<void> {
  const source = { messageId: command.messageId }
  const { credentialsVersion, claim } = await claimMessageDevices(deps.db, command)
  const credentials = await deps.credentials.atVersion(command.applicationId, credentialsVersion)
  const results = unconfirmedResults(source, claim.earlier.filter((e) => e.status === 'PENDING'))
  let reason: string | undefined = credentials === null ? 'ApplicationNotFound' : undefined
  if (credentials !== null) {
    const sent = await deliver(deps, delivery, credentials, command, claim.mine, source)
    results.push(...sent.results)
    reason ??= sent.reason
  }
  const recorded = claim.earlier.filter((e) => e.status !== 'PENDING')
  const summary = { messageId: command.messageId, ...countByPlatform([...recorded, ...results]), ...(reason === undefined ? {} : { reason }) }
  await deps.transport.publishSummary(summary, results)
  await delivery.ack()
}
