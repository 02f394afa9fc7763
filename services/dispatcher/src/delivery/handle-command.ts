import type { CommandRun } from './command-run.js'
import type { DispatchDeps } from './deliver.js'
import { handleCampaignChunk } from './handle-campaign-chunk.js'
import { handleMessage } from './handle-message.js'

export type { DispatchDeps }

/** Routes a command to its handler; each publishes its results before it acknowledges. */
export function handleCommand (deps: DispatchDeps, run: CommandRun): Promise<void> {
  const { command } = run.delivery
  return command.kind === 'message'
    ? handleMessage(deps, run, command)
    : handleCampaignChunk(deps, run, command)
}
