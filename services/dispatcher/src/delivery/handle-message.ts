import type { SendCommand } from '@beacon/contracts'
import type { CommandDelivery } from '@beacon/transport'
import { claimDevices } from './claims.js'
import { deliver, unconfirmedResults, type DispatchDeps } from './deliver.js'
import { countByPlatform } from './outcomes.js'
import { resolveDevices } from './resolve-devices.js'

/**
 * One message, start to finish: resolve the user's devices, claim them, send with retries,
 * publish a result per device and a summary, and only then acknowledge the command.
 */
export async function handleMessage (deps: DispatchDeps, delivery: CommandDelivery, command: SendCommand): Promise<void> {
  const source = { messageId: command.messageId }
  const credentials = await deps.credentials.load(command.applicationId)
  const targets = credentials === null ? [] : await resolveDevices(deps.db, command)
  const claim = await claimDevices(deps.db, { kind: 'message', messageId: command.messageId }, targets)
  const results = unconfirmedResults(source, claim.earlier.filter((e) => e.status === 'PENDING'))
  let reason: string | undefined = credentials === null ? 'ApplicationNotFound' : undefined
  if (credentials !== null) {
    const sent = await deliver(deps, delivery, credentials, command, claim.mine, source)
    results.push(...sent.results)
    reason ??= sent.reason
  }
  if (results.length > 0) await deps.transport.publishDeviceResults(results)
  const recorded = claim.earlier.filter((e) => e.status !== 'PENDING')
  await deps.transport.publishSummary({ messageId: command.messageId, ...countByPlatform([...recorded, ...results]), ...(reason === undefined ? {} : { reason }) })
  await delivery.ack()
}
