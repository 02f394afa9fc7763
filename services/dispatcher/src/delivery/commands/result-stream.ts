import { MAX_RESULTS_PER_BATCH, type DeviceResult } from '@beacon/contracts'
import type { Transport } from '@beacon/transport'
import type { CommandRun } from './run.js'

/** How long a chunk's answers wait to be published together: the few that come in this time go as one message. */
const GATHER_MS = 50

/**
 * Publishes a campaign chunk's results as they come instead of at the chunk's end. A recorded
 * answer is what keeps a redelivered chunk (its holder killed) from sending a device again: the
 * sooner it is published, the fewer duplicates a crash can cause — the answers of the last
 * ~50 ms, besides the requests on the wire. One publish at a time, held through outages.
 */
export function streamResults (transport: Transport, run: CommandRun) {
  const waiting: DeviceResult[] = []
  let timer: NodeJS.Timeout | undefined
  let chain: Promise<void> = Promise.resolve()
  let failure: { error: unknown } | undefined

  const flush = () => {
    clearTimeout(timer)
    timer = undefined
    while (waiting.length > 0) {
      const batch = waiting.splice(0, MAX_RESULTS_PER_BATCH)
      chain = chain.then(() => run.hold(() => transport.publishDeviceResults(batch)))
        .catch((error: unknown) => { failure ??= { error } })
    }
  }

  return {
    add (results: DeviceResult[]) {
      waiting.push(...results)
      if (waiting.length >= MAX_RESULTS_PER_BATCH) flush()
      else timer ??= setTimeout(flush, GATHER_MS)
    },
    /** Publishes what is left; rejects if a publish failed for good. */
    async end (): Promise<void> {
      flush()
      await chain
      if (failure !== undefined) throw failure.error
    }
  }
}
