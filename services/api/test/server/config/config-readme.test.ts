import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EnvReader } from '@beacon/config'
import { recordSettingReads, repositoryRoot, settingProblems, settingsTable } from '@beacon/testkit'
import t from 'tap'
import { loadConfig } from '../../../src/config.js'
import { base } from './config-env.js'

// guarantee: settings-as-documented
t.test('every setting the api reads has its row in the README\'s table, with the default and the bounds the code has', async (t) => {
  const rows = settingsTable(readFileSync(join(repositoryRoot, 'README.md'), 'utf8'), 'api')
  // METRICS_PORT set: its listener's settings are read only then.
  const reads = recordSettingReads(EnvReader.prototype, () => loadConfig({ ...base, METRICS_PORT: '9100' }))
  t.ok(reads.length >= 50, `${reads.length} settings read`)
  t.same(settingProblems(reads, rows, ['METRICS_PORT']), [])
})
