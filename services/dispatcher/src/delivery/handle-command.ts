import { CommandLease } from './command-lease.js'
import type { CommandRun } from './command-run.js'
import type { DispatchDeps } from './deliver.js'
import { handleCampaignChunk } from './handle-campaign-chunk.js'
import { handleMessage } from './handle-message.js'

export type { DispatchDeps }

/**
 * Routes a command to its handler, under the command's lease (command-lease.ts); each handler
 * publishes its results before it acknowledges. A redelivered copy acknowledges a command another
 * holder finished, and goes back as it is if the dispatcher stops while it waits for one.
 */
export async function handleCommand (deps: DispatchDeps, run: CommandRun): Promise<void> {
  const { command } = run.delivery
  const lease = new CommandLease(deps.db, run, deps.lease, deps.log)
  let finished = false
  try {
    const state = await lease.begin()
    if (state === 'stopped') {
      run.givenBack = true
      run.delivery.retry(0)
      return
    }
    if (state === 'done') {
      deps.log.info({ command: run.claimant.key, delivery: run.delivery.deliveryCount }, 'another dispatcher finished this command; acknowledged')
      await run.delivery.ack()
      return
    }
    await (command.kind === 'message' ? handleMessage(deps, run, command) : handleCampaignChunk(deps, run, command))
    finished = !run.givenBack
  } finally {
    await lease.end(finished)
  }
}
