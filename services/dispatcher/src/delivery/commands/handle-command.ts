import { recordAnswers, scopeOf } from '../claims/claims.js'
import { CommandLease } from './lease.js'
import { once } from '../sends/call-gates.js'
import { StoppedWhileHeld, type CommandRun } from './run.js'
import type { DispatchDeps } from '../sends/deliver.js'
import { handleCampaignChunk } from './handle-campaign-chunk.js'
import { handleMessage } from './handle-message.js'

export type { DispatchDeps }

/**
 * Routes a command to its handler under the command's lease (lease.ts), and settles the
 * delivery: acknowledged once the handler published every result (the lease marked done first,
 * so a copy still waiting acknowledges too), handed back when the handler gave it back (after the
 * lease is gone, so the next copy need not wait for it), left alone when another holder took it
 * over. A redelivered copy acknowledges a command another holder finished; stopped while it waits
 * for a live holder, it leaves the command to that holder.
 */
export async function handleCommand (deps: DispatchDeps, run: CommandRun): Promise<void> {
  const { command } = run.delivery
  const lease = new CommandLease(deps.db, run, deps.lease, deps.log)
  let state: Awaited<ReturnType<CommandLease['begin']>>
  try {
    state = await lease.begin()
    if (state === 'held') {
      if (command.kind === 'message') await handleMessage(deps, run, command)
      else await sendingChunk(deps, run, (leavePlace) => handleCampaignChunk(deps, run, command, leavePlace))
    }
  } catch (error) {
    // The answers in hand are real outcomes (invalid tokens among them): published and written
    // onto the claims before the lease goes, a copy waiting for it does not send them again.
    if (!(error instanceof StoppedWhileHeld) && !run.overtaken) await keepAnswers(deps, run)
    await lease.end(false)
    throw error
  }
  if (state === 'done') {
    deps.log.info({ command: run.claimant.key, delivery: run.delivery.deliveryCount }, 'another dispatcher finished this command; acknowledged')
    await run.delivery.ack()
    return
  }
  if (state === 'stopped' || run.overtaken) {
    // Neither acknowledged nor given back: the live holder's heartbeats keep the command, and
    // were it to die, its lease lapses as the command is handed out again.
    run.givenBack = true
    if (!run.overtaken) run.leftToHolder = true
    await lease.end(false)
    return
  }
  if (run.givenBack) {
    await lease.end(false)
    await handBack(deps, run)
    return
  }
  if (!await lease.end(true)) {
    run.overtake()
    run.givenBack = true
    deps.log.warn({ command: run.claimant.key }, 'another dispatcher took the command over; left to it')
    return
  }
  await run.delivery.ack()
}

/**
 * Runs a chunk once it has one of the places of the chunks sending at once
 * (DISPATCHER_CHUNKS_SENDING). It waits under its lease, renewed meanwhile, claiming nothing: a
 * copy handed to another dispatcher waits for this one instead of taking its first claims for a
 * dead holder's, and a copy waiting for another holder's lease takes no place. Stopped first, the
 * chunk is given back as it came; overtaken, it is left to the new holder. A chunk leaves its place
 * once only answers to its requests on the wire are left (`send` calls `leavePlace`): the next
 * chunk claims and sends while they come, which a provider's round trip makes long, and the
 * senders do not idle at each chunk's end. A chunk with devices waiting for a retry keeps its
 * place: a provider that asks for patience does not get more chunks' first attempts meanwhile.
 */
async function sendingChunk (deps: DispatchDeps, run: CommandRun, send: (leavePlace?: () => void) => Promise<void>): Promise<void> {
  const places = deps.chunksSending
  if (places === undefined) return await send()
  if (await places.take(1, 1, run.signal) === 0) {
    if (!run.overtaken) run.givenBack = true
    return
  }
  const leavePlace = once(() => { places.give(1) })
  try {
    await send(leavePlace)
  } finally {
    leavePlace()
  }
}

/**
 * Gives a command back at a stop. A campaign chunk goes back as a new copy that keeps its delivery
 * count: every stop would otherwise spend one of its COMMAND_MAX_DELIVER deliveries, the waiting
 * chunks' included, and a chunk handed back that many times by restarts would end failed with
 * devices never sent. It queues behind what waits, which a chunk can afford. A single message
 * goes back with a redelivery, which JetStream hands out before what waits: it is done in
 * milliseconds, and a stop spends one of its deliveries only if it comes while the message is in hand.
 */
async function handBack (deps: DispatchDeps, run: CommandRun): Promise<void> {
  if (run.delivery.command.kind === 'campaign-chunk') {
    try {
      // Tried again while NATS is away, until the stop's deadline: the same copy each time.
      await run.hold(() => run.delivery.handBack())
      return
    } catch (error) {
      deps.log.warn({ err: error, command: run.claimant.key }, 'the chunk could not be queued again as a copy; given back with a redelivery')
    }
  }
  run.delivery.retry(0)
}

async function keepAnswers (deps: DispatchDeps, run: CommandRun): Promise<void> {
  const known = [...run.results.values()]
  if (known.length === 0) return
  const command = run.claimant.key
  await deps.transport.publishDeviceResults(known).catch((failure: unknown) => deps.log.warn({ err: failure, command }, 'known results not published'))
  await recordAnswers(deps.db, scopeOf(run.delivery.command), known).catch((failure: unknown) => deps.log.warn({ err: failure, command }, 'known results not written'))
}
