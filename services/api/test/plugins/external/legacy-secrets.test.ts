import { randomBytes } from 'node:crypto'
import { createDb, type Db } from '@beacon/db'
import { createOutdatedTestDatabase, sealVersion1 } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { buildApp } from '../../helper.js'
import { developerCall } from '../../routes/developers/fixtures.js'
import { signedInject } from '../../routes/developer-api/signing-fixtures.js'

const ECHO = '/api/1.0/debug/echo'
// The migration that records the one-time upgrade: a database "of before" stops short of it.
const FORMAT_MIGRATION = '20261201010000_sealed_secret_format'

const ALICE = { key: 'alice-key-0123456789', secret: 'alice-secret-abcdefghijklmnopqrstuvwxyz' }
const BOB = { key: 'bob-key-0123456789', secret: 'bob-secret-abcdefghijklmnopqrstuvwxyz' }

type Pool = Db['pool']

interface OldRows { pool: Pool, masterKey: Buffer, url: string, alice: number, bob: number, apps: number[], backup: Record<'alice' | 'bob' | 'fcm1' | 'fcm2', Buffer> }

/**
 * A database as a Beacon of before version 2 left it (every secret sealed under MASTER_KEY itself,
 * bound to no place), then migrated to this release: two applications with FCM accounts, two
 * developers. `backup` holds the version-1 bytes, as an old backup would.
 */
async function databaseOfBefore (t: Test): Promise<OldRows> {
  const database = await createOutdatedTestDatabase(FORMAT_MIGRATION)
  const db = createDb({ url: database.url, poolSize: 2 })
  const pool = db.pool
  t.teardown(async () => {
    await db.$disconnect()
    await database.drop()
  })
  const masterKey = randomBytes(32)
  const backup = {
    alice: sealVersion1(masterKey, ALICE.secret),
    bob: sealVersion1(masterKey, BOB.secret),
    fcm1: sealVersion1(masterKey, '{"fcm":1}'),
    fcm2: sealVersion1(masterKey, '{"fcm":2}')
  }
  const apps: number[] = []
  for (const appId of [1, 2]) {
    const { rows } = await pool.query<{ id: number }>(
      `INSERT INTO application (app_id, name, carrier_domain, fcm_project_id, fcm_service_account, updated_at)
       VALUES ($1, $2, $3, 'p', $4, now()) RETURNING id`, [appId, `app ${appId}`, `carrier-${appId}.example`, appId === 1 ? backup.fcm1 : backup.fcm2])
    apps.push(rows[0]!.id)
  }
  const developer = async (key: string, sealed: Buffer, applicationId: number) => {
    const { rows } = await pool.query<{ id: number }>('INSERT INTO developer (key, name, secret, updated_at) VALUES ($1, $1, $2, now()) RETURNING id', [key, sealed])
    await pool.query('INSERT INTO developer_application (developer_id, application_id) VALUES ($1, $2)', [rows[0]!.id, applicationId])
    return rows[0]!.id
  }
  const alice = await developer(ALICE.key, backup.alice, apps[0]!)
  const bob = await developer(BOB.key, backup.bob, apps[1]!)
  t.equal((await database.migrate())[0], FORMAT_MIGRATION, 'the format migration is the first one applied')
  return { pool, masterKey, url: database.url, alice, bob, apps, backup }
}

/** An api on `rows`' database, as another instance (or the same after a restart) would start. */
function startApi (t: Test, rows: OldRows) {
  return buildApp(t, { DATABASE_URL: rows.url, MASTER_KEY: rows.masterKey.toString('base64') }, { captureLogs: true })
}

const lines = (logs: string) => logs.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)
const versionOf = async (pool: Pool, id: number) =>
  (await pool.query<{ secret: Buffer }>('SELECT secret FROM developer WHERE id = $1', [id])).rows[0]!.secret[0]

// guarantee: legacy-secrets-upgraded-once
t.test('an existing database: the first start re-seals its version-1 secrets and records it; later starts change nothing', async (t) => {
  const rows = await databaseOfBefore(t)
  const first = await startApi(t, rows)
  t.match(first.logs(), /"level":40.*"resealed":\{"application.apns_private_key":0,"application.fcm_service_account":2,"developer.secret":2\}.*re-sealed 4 secret\(s\) of the version-1 format/)
  const stored = await rows.pool.query<{ fcm: Buffer }>('SELECT fcm_service_account AS fcm FROM application ORDER BY id')
  t.same([...stored.rows.map((row) => row.fcm[0]), await versionOf(rows.pool, rows.alice), await versionOf(rows.pool, rows.bob)], [2, 2, 2, 2], 'all version 2 now')
  t.equal(first.app.secrets.open({ column: 'application.fcm_service_account', rowId: rows.apps[0]! }, stored.rows[0]!.fcm).toString(), '{"fcm":1}')
  t.equal((await signedInject(first.app, { url: ECHO, ...ALICE })).statusCode, 200, 'the developer signs as before')
  const mark = await rows.pool.query<{ at: Date | null }>('SELECT version_1_retired_at AS at FROM sealed_secret_format')
  t.type(mark.rows[0]?.at, Date, 'the upgrade is recorded')

  const second = await startApi(t, rows)
  t.notMatch(second.logs(), /re-sealed \d+ secret|"level":50/, 'nothing re-sealed, nothing refused')
  t.same((await rows.pool.query('SELECT fcm_service_account AS fcm FROM application ORDER BY id')).rows, stored.rows, 'unchanged by the second start')
})

// The reviewer's reproduction: write access to the database and an old backup (version-1 bytes
// sealed under the same MASTER_KEY). Before this release, the next start re-sealed the planted
// value bound to the victim's row, and Alice signed as Bob.
// guarantee: legacy-secrets-refused-after-upgrade
t.test('after the upgrade, Alice\'s version-1 secret planted into Bob\'s row does not sign as Bob: not before a restart, not after, and the start logs it by place', async (t) => {
  const rows = await databaseOfBefore(t)
  const running = await startApi(t, rows)
  t.equal((await signedInject(running.app, { url: ECHO, ...BOB })).statusCode, 200, 'Bob signs with his own secret')

  await rows.pool.query('UPDATE developer SET secret = $1 WHERE id = $2', [rows.backup.alice, rows.bob])
  await rows.pool.query('UPDATE application SET fcm_service_account = $1 WHERE id = $2', [rows.backup.fcm1, rows.apps[1]])
  const asBob = { url: ECHO, key: BOB.key, secret: ALICE.secret }
  t.equal((await signedInject(running.app, asBob)).statusCode, 401, 'before a restart: Alice\'s secret does not sign as Bob')

  const restarted = await startApi(t, rows)
  t.equal((await signedInject(restarted.app, asBob)).statusCode, 401, 'after a restart: still not')
  t.equal((await signedInject(restarted.app, { url: ECHO, ...BOB })).statusCode, 401, 'nor does Bob\'s own')
  t.equal((await signedInject(restarted.app, { url: ECHO, ...ALICE })).statusCode, 200, 'Alice as herself is unaffected')
  t.same(await versionOf(rows.pool, rows.bob), 1, 'the planted value was not re-sealed')

  const refused = lines(restarted.logs()).filter((line) => line.code === 'DB_SECRET_LEGACY_FORMAT' && !('developerKey' in line))
  t.match(refused, [
    { level: 50, column: 'application.fcm_service_account', rowId: rows.apps[1], msg: /version-1 format, found after the one-time upgrade, is refused/ },
    { level: 50, column: 'developer.secret', rowId: rows.bob, msg: /version-1 format, found after the one-time upgrade, is refused/ }
  ], 'each planted value named by place, with its code')
  t.equal(refused.length, 2)
  t.notMatch(restarted.logs(), /re-sealed \d+ secret/, 'nothing re-sealed')
  for (const value of [ALICE.secret, BOB.secret, rows.backup.alice.toString('base64'), rows.backup.alice.toString('hex'), rows.backup.fcm1.toString('base64')]) {
    t.notOk(running.logs().includes(value) || restarted.logs().includes(value), 'neither a secret nor the sealed bytes are logged')
  }

  // The repair the log line names: rotating Bob's secret.
  const rotated = (await developerCall(restarted.app, 'POST', 'rotate', { id: rows.bob })).json().responseObject
  t.equal((await signedInject(restarted.app, { url: ECHO, key: BOB.key, secret: rotated.secret })).statusCode, 200, 'rotating Bob\'s secret repairs it')
  const third = await startApi(t, rows)
  t.same(lines(third.logs()).filter((line) => line.column === 'developer.secret'), [], 'no longer named at the next start')
})

t.test('a new database is recorded as upgraded without re-sealing anything', async (t) => {
  const { app, logs } = await buildApp(t, {}, { captureLogs: true })
  const { rows } = await app.db.pool.query<{ at: Date | null }>('SELECT version_1_retired_at AS at FROM sealed_secret_format')
  t.type(rows[0]?.at, Date)
  t.notMatch(logs(), /re-sealed|version-1/)
})
