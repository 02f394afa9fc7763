import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestDatabase } from '@beacon/testkit'
import t from 'tap'
import { parseBanner, request } from './helpers/http.js'
import { freePort, spawnStandalone, temporaryDataDir } from './helpers/standalone-process.js'

t.test('with DATABASE_URL and credentials from the environment, those are used', async (t) => {
  const dataDir = await temporaryDataDir()
  const database = await createTestDatabase()
  t.teardown(async () => {
    await rm(dataDir, { recursive: true, force: true })
    await database.drop()
  })
  const credentials = { username: 'operator', password: 'operator-password-123' }
  const run = spawnStandalone({
    BEACON_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    DATABASE_URL: database.url,
    AUTH_USERNAME: credentials.username,
    AUTH_PASSWORD: credentials.password
  })
  t.teardown(() => { run.child.kill('SIGTERM') })
  await run.waitForStdout(/Stop with Ctrl\+C/)
  const url = run.stdout().match(/Beacon is running at (\S+)/)?.[1] ?? ''
  t.match(run.stdout(), '  username: operator')
  t.match(run.stdout(), '  password: (the one in AUTH_PASSWORD)', 'a password the operator chose is not echoed')
  t.notMatch(run.stdout(), credentials.password)
  t.match(run.stdout(), /database: postgresql:\/\/postgres@127\.0\.0\.1:5432\/\S+ \(DATABASE_URL\)/)
  t.throws(() => parseBanner(run.stdout()), 'no generated password to show')
  t.notOk(existsSync(join(dataDir, 'postgres')), 'no embedded cluster')

  t.equal((await request(`${url}/push/service/status`, 'GET', credentials)).status, 200)
  t.equal((await request(`${url}/push/service/status`, 'GET', { username: 'admin', password: 'generated-is-unused' })).status, 401)

  run.child.kill('SIGTERM')
  t.equal(await run.exitCode, 0)
})
