import { counter } from '@beacon/metrics'

const resultsRecorded = counter<'outcome'>({
  name: 'beacon_results_recorded_total',
  help: 'Device outcomes the result recorder wrote, by the stored delivery status (sent, failed, expired)',
  labelNames: ['outcome']
})

/** Counts what one batch wrote: stored status (any case) → devices. */
export function countRecordedOutcomes (outcomes: Record<string, number>): void {
  for (const [status, devices] of Object.entries(outcomes)) {
    if (devices > 0) resultsRecorded.inc({ outcome: status.toLowerCase() }, devices)
  }
}
