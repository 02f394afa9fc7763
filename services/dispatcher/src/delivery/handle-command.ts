import type { CommandDelivery } from '@beacon/transport'
import type { DispatchDeps } from './deliver.js'
import { handleCampaignChunk } from './handle-campaign-chunk.js'
import { handleMessage } from './handle-message.js'

export type { DispatchDeps }

/** Routes a command to its handler; each publishes its results before it acknowledges. */
export function handleCommand (deps: DispatchDeps, delivery: CommandDelivery): Promise<void> {
  const { command } = delivery
  return command.kind === 'message'
    ? handleMessage(deps, delivery, command)
    : handleCampaignChunk(deps, delivery, command)
}
