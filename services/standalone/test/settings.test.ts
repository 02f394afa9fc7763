import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { readSettings, repositoryRoot } from '../src/settings.js'

t.test('defaults: data in the checkout, embedded database on 54329', async (t) => {
  const settings = readSettings({})
  t.equal(settings.dataDir, join(repositoryRoot, '.beacon', 'data'))
  t.ok(existsSync(join(repositoryRoot, 'pnpm-workspace.yaml')), 'repositoryRoot is the workspace root')
  t.equal(settings.embeddedPgPort, 54329)
  t.equal(settings.databaseUrl, null)
})

t.test('a relative BEACON_DATA_DIR is taken from where the command was typed', async (t) => {
  t.equal(readSettings({ BEACON_DATA_DIR: 'beacon-data', INIT_CWD: '/srv/work' }).dataDir, '/srv/work/beacon-data')
  t.equal(readSettings({ BEACON_DATA_DIR: '/var/lib/beacon', INIT_CWD: '/srv/work' }).dataDir, '/var/lib/beacon')
})

t.test('DATABASE_URL and EMBEDDED_PG_PORT', async (t) => {
  t.equal(readSettings({ DATABASE_URL: '  ' }).databaseUrl, null, 'blank counts as unset')
  t.equal(readSettings({ DATABASE_URL: 'postgresql://db/beacon' }).databaseUrl, 'postgresql://db/beacon')
  t.equal(readSettings({ EMBEDDED_PG_PORT: '6000' }).embeddedPgPort, 6000)
  for (const bad of ['0', '65536', '5432.5', 'port']) {
    t.throws(() => readSettings({ EMBEDDED_PG_PORT: bad }), {
      name: 'ConfigError',
      problems: [`EMBEDDED_PG_PORT must be an integer from 1 to 65535, got "${bad}"`]
    }, bad)
  }
})
