import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createDb, createSecretBox } from '@beacon/db'
import { createTestDatabase } from '@beacon/testkit'
import t from 'tap'
import { parseBanner, request } from '../helpers/http.js'
import { freePort, spawnStandalone, temporaryDataDir } from '../helpers/standalone-process.js'

// guarantee: standalone-environment-first
t.test('with DATABASE_URL and credentials from the environment, those are used', async (t) => {
  const dataDir = await temporaryDataDir()
  const database = await createTestDatabase()
  t.teardown(async () => {
    await rm(dataDir, { recursive: true, force: true })
    await database.drop()
  })
  const credentials = { username: 'operator', password: 'operator-password-123' }
  const masterKey = randomBytes(32)
  const run = spawnStandalone({
    BEACON_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    DATABASE_URL: database.url,
    AUTH_USERNAME: credentials.username,
    AUTH_PASSWORD: credentials.password,
    MASTER_KEY: masterKey.toString('base64')
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
  // A developer's secret is sealed under the MASTER_KEY of the environment, not the one standalone.json keeps.
  const created = await request(`${url}/admin/developer/create`, 'POST', credentials, { requestObject: { name: 'sealed' } })
  t.equal(created.status, 200, 'a developer created')
  const db = createDb({ url: database.url, poolSize: 1 })
  const { rows: [developer] } = await db.pool.query<{ id: number, secret: Buffer }>('SELECT id, secret FROM developer')
  await db.$disconnect()
  const place = { column: 'developer.secret' as const, rowId: developer!.id }
  t.equal(createSecretBox(masterKey).open(place, developer!.secret).toString(), created.body.responseObject.secret, 'opened by the environment\'s key')
  const kept = JSON.parse(await readFile(join(dataDir, 'standalone.json'), 'utf8')) as { masterKey: string }
  t.throws(() => createSecretBox(Buffer.from(kept.masterKey, 'base64')).open(place, developer!.secret), 'not by the one standalone.json keeps')

  run.child.kill('SIGTERM')
  t.equal(await run.exitCode, 0)
})
