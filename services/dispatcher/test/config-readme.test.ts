import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EnvReader } from '@beacon/config'
import { recordSettingReads, repositoryRoot, settingProblems, settingsTable } from '@beacon/testkit'
import t from 'tap'
import { loadConfig } from '../src/config.js'

// guarantee: settings-as-documented
t.test('every setting the dispatcher reads has its row in the README\'s tables, with the default and the bounds the code has', async (t) => {
  const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8')
  // Its own table, and the api's for what it reads "as above" (the database, NATS, the log).
  const rows = new Map([...settingsTable(readme, 'api'), ...settingsTable(readme, 'dispatcher')])
  const reads = recordSettingReads(EnvReader.prototype, () => loadConfig({
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused', MASTER_KEY: randomBytes(32).toString('base64'), METRICS_PORT: '9100'
  }))
  t.ok(reads.length >= 20, `${reads.length} settings read`)
  t.same(settingProblems(reads, rows, ['METRICS_PORT']), [])
})
