import { counter } from '@beacon/metrics'
import type { Purged } from '../domain/retention/purge.js'

const recordsPurged = counter<'record'>({
  name: 'beacon_records_purged_total',
  help: 'Finished records deleted for being older than RETENTION_DAYS, by kind (message: with its per-device outcomes; callback)',
  labelNames: ['record']
})

export function countPurged (purged: Purged): void {
  if (purged.messages > 0) recordsPurged.inc({ record: 'message' }, purged.messages)
  if (purged.callbacks > 0) recordsPurged.inc({ record: 'callback' }, purged.callbacks)
}
