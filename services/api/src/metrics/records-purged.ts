import { counter } from '@beacon/metrics'
import type { PurgedRecord } from '../domain/retention/purge.js'

const recordsPurged = counter<'record'>({
  name: 'beacon_records_purged_total',
  help: 'Finished records deleted for being older than RETENTION_DAYS, by kind (message: with its per-device outcomes; callback)',
  labelNames: ['record']
})

/** Both series from 0 (with retention on): an alert on a rate that stays 0 needs them to exist. */
export function startCountingPurged (): void {
  for (const record of ['message', 'callback'] as const) recordsPurged.inc({ record }, 0)
}

export function countPurged (record: PurgedRecord, count: number): void {
  if (count > 0) recordsPurged.inc({ record }, count)
}
