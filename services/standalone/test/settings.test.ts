import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { readSettings, repositoryRoot } from '../src/settings.js'
import { dispatcherStopBudgetMs } from '../src/startup.js'

t.test('defaults: data in the checkout, embedded database on 54329', async (t) => {
  const settings = readSettings({})
  t.equal(settings.dataDir, join(repositoryRoot, '.beacon', 'data'))
  t.ok(existsSync(join(repositoryRoot, 'pnpm-workspace.yaml')), 'repositoryRoot is the workspace root')
  t.equal(settings.embeddedPgPort, 54329)
  t.equal(settings.databaseUrl, null)
  t.equal(settings.shutdownTimeoutMs, 8000)
})

t.test('SHUTDOWN_TIMEOUT_MS, with the dispatcher\'s range', async (t) => {
  t.equal(readSettings({ SHUTDOWN_TIMEOUT_MS: '20000' }).shutdownTimeoutMs, 20_000)
  for (const bad of ['99', '600001', '1.5', 'soon', '-1']) {
    t.throws(() => readSettings({ SHUTDOWN_TIMEOUT_MS: bad }), {
      name: 'ConfigError',
      problems: [`SHUTDOWN_TIMEOUT_MS must be an integer from 100 to 600000, got "${bad}"`]
    }, bad)
  }
  t.equal(dispatcherStopBudgetMs(8000), 6000, 'the dispatcher leaves 2 s for the api and PostgreSQL')
  t.equal(dispatcherStopBudgetMs(400), 300, 'a quarter of a short budget')
})

t.test('a relative BEACON_DATA_DIR is taken from where the command was typed', async (t) => {
  t.equal(readSettings({ BEACON_DATA_DIR: 'beacon-data', INIT_CWD: '/srv/work' }).dataDir, '/srv/work/beacon-data')
  t.equal(readSettings({ BEACON_DATA_DIR: '/var/lib/beacon', INIT_CWD: '/srv/work' }).dataDir, '/var/lib/beacon')
})

t.test('DATABASE_URL and EMBEDDED_PG_PORT', async (t) => {
  t.equal(readSettings({ DATABASE_URL: '  ' }).databaseUrl, null, 'blank counts as unset')
  t.equal(readSettings({ DATABASE_URL: 'postgresql://db/beacon' }).databaseUrl, 'postgresql://db/beacon')
  const dir = await mkdtemp(join(tmpdir(), 'beacon-standalone-secrets-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'database-url'), 'postgresql://db/from-a-file\n')
  t.equal(readSettings({ DATABASE_URL_FILE: join(dir, 'database-url') }).databaseUrl, 'postgresql://db/from-a-file', 'or from DATABASE_URL_FILE: no embedded PostgreSQL then')
  t.throws(() => readSettings({ DATABASE_URL_FILE: join(dir, 'missing') }), {
    name: 'ConfigError',
    problems: ['DATABASE_URL_FILE names no existing file (ENOENT); the value is not shown, as it may be the secret itself']
  })
  t.equal(readSettings({ EMBEDDED_PG_PORT: '6000' }).embeddedPgPort, 6000)
  for (const bad of ['0', '65536', '5432.5', 'port']) {
    t.throws(() => readSettings({ EMBEDDED_PG_PORT: bad }), {
      name: 'ConfigError',
      problems: [`EMBEDDED_PG_PORT must be an integer from 1 to 65535, got "${bad}"`]
    }, bad)
  }
})
