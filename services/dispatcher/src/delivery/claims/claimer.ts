import type { Db } from '@beacon/db'
import { claimTargets, type ClaimScope } from './claims.js'
import type { CommandRun } from '../commands/run.js'
import type { DeviceTarget } from './resolve-devices.js'

/**
 * The command's claim hook: windows asked for in the same turn of the event loop (a message's
 * APNs and FCM devices, typically) go to the database in one statement. A claim is held through
 * an outage (see CommandRun.hold). A claim refused because another handling holds the command's
 * lease stops this run (CommandRun.overtake).
 */
export function createClaimer (db: Db, scope: ClaimScope, run: CommandRun) {
  let queued: Array<{ window: DeviceTarget[], resolve: (mine: DeviceTarget[]) => void, reject: (error: unknown) => void }> = []

  // Never rejects: a failure goes to the windows' callers.
  const flush = async () => {
    const batch = queued
    queued = []
    const all = batch.flatMap((entry) => entry.window)
    // One time per statement, kept across its retries: how a retried claim recognises its rows.
    const at = new Date()
    try {
      const { mine: ours, overtaken } = await run.hold(() => claimTargets(db, scope, run.claimant, all, at))
      if (overtaken) run.overtake()
      for (const { window, resolve } of batch) {
        const mine: DeviceTarget[] = []
        for (const target of window) if (ours.has(target.id.toString())) mine.push(target)
        resolve(mine)
      }
    } catch (error) {
      for (const { reject } of batch) reject(error)
    }
  }

  return (window: DeviceTarget[]): Promise<DeviceTarget[]> => new Promise((resolve, reject) => {
    if (queued.length === 0) setImmediate(flush)
    queued.push({ window, resolve, reject })
  })
}
