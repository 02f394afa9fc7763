import { recordAnswers, releaseClaims, type ClaimScope } from '../claims/claims.js'
import { StoppedWhileHeld, type CommandRun } from './run.js'
import type { Delivered, DispatchDeps } from '../sends/deliver.js'

/**
 * The dispatcher stopped (or another handling took the command over) before the command was
 * done: what is known is published and written onto its claims (the next holder may start before
 * the api recorded it), the claims of devices waiting for a retry are released (they had a
 * retryable failure: the next holder sends them), and the command is marked given back
 * (handleCommand hands it back for immediate redelivery). Requests still on the wire at the
 * deadline keep their claims: the next holder sends them again. Devices never claimed are simply
 * sent by the next holder. Steps that cannot be done by the deadline are skipped.
 */
export async function giveBack (deps: DispatchDeps, run: CommandRun, scope: ClaimScope, delivered: Delivered): Promise<void> {
  const results = [...run.results.values()]
  const skipAtDeadline = async (step: () => Promise<void>) => {
    try { await run.hold(step) } catch (error) { if (!(error instanceof StoppedWhileHeld)) throw error }
  }
  if (results.length > 0) await skipAtDeadline(() => deps.transport.publishDeviceResults(results))
  await skipAtDeadline(() => recordAnswers(deps.db, scope, results))
  if (run.overtaken) {
    // The claims not answered here are the new holder's now, and so is the command: nothing is
    // released, and this copy is neither acknowledged nor handed back (the holder's ack ends it).
    deps.log.warn({ ...scope, published: results.length, inFlight: delivered.inFlight.length }, 'another dispatcher took the command over; stopped')
    return
  }
  await skipAtDeadline(() => releaseClaims(deps.db, scope, delivered.waiting.map((target) => target.id)))
  deps.log.info({ ...scope, published: results.length, released: delivered.waiting.length, inFlight: delivered.inFlight.length },
    'stopping: command given back')
  run.givenBack = true
}
