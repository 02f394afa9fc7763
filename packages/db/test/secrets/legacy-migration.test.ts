import { randomBytes } from 'node:crypto'
import pg from 'pg'
import t, { type Test } from 'tap'
import { sealVersion1 } from '../../../testkit/src/legacy-sealed.js'
import { DbErrorCode } from '../../src/errors.js'
import { resealVersion1, upgradeLegacySecretsOnce } from '../../src/secrets/legacy-migration.js'
import { createSecretBox } from '../../src/secrets/secret-box.js'
import { createOutdatedTestDatabase, createTestDatabase } from '../helpers/databases.js'
import { FORMAT_MIGRATION, insertApplication, insertDeveloper, sealedValues, version1Mark } from '../helpers/sealed-rows.js'

function poolOf (t: Test, url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max })
  // The database's drop at teardown may come first and terminate an idle client ("terminating
  // connection due to administrator command"): without a listener that error ended the test
  // process, failing the tests after it (seen once in a full run).
  pool.on('error', () => {})
  t.teardown(() => pool.end())
  return pool
}

/** A database as the Beacon before version 2 left it (migrated up to before the mark); `migrate` applies the rest. */
async function databaseOfBefore (t: Test) {
  const database = await createOutdatedTestDatabase(FORMAT_MIGRATION)
  t.teardown(database.drop)
  return { pool: poolOf(t, database.url), migrate: database.migrate }
}

/** A database made by this release: every migration applied, nothing in it. */
async function newDatabase (t: Test): Promise<pg.Pool> {
  const database = await createTestDatabase()
  t.teardown(database.drop)
  return poolOf(t, database.url)
}

const NOTHING_RESEALED = { 'application.apns_private_key': 0, 'application.fcm_service_account': 0, 'developer.secret': 0 }

// guarantee: legacy-secrets-upgraded-once
t.test('an existing database: the first start re-seals its version-1 values bound to their place and records it; later starts change nothing', async (t) => {
  const { pool, migrate } = await databaseOfBefore(t)
  const key = randomBytes(32)
  const box = createSecretBox(key)
  // As the old code wrote them: sealed under MASTER_KEY itself, no place bound.
  const first = await insertApplication(pool, 1, { apns: sealVersion1(key, 'apns pem 1'), fcm: sealVersion1(key, '{"fcm":1}') })
  const second = await insertApplication(pool, 2, { fcm: sealVersion1(key, '{"fcm":2}') })
  const third = await insertApplication(pool, 3, {})
  const alice = await insertDeveloper(pool, 'alice', sealVersion1(key, 'alice secret'))
  t.equal((await migrate())[0], FORMAT_MIGRATION, 'the format migration is the first one applied')
  t.equal(await version1Mark(pool), null, 'the migration leaves a database holding version-1 values to be upgraded')

  const report = await upgradeLegacySecretsOnce(pool, key)
  t.same(report, {
    upgradedNow: true,
    resealed: { 'application.apns_private_key': 1, 'application.fcm_service_account': 2, 'developer.secret': 1 },
    unreadable: [],
    replacedMeanwhile: 0
  })
  t.type(await version1Mark(pool), Date, 'recorded as done')
  const after = await sealedValues(pool)
  t.same([...after.keys()].sort(), [
    `application.apns_private_key:${first}`, `application.fcm_service_account:${first}`,
    `application.fcm_service_account:${second}`, `developer.secret:${alice}`
  ].sort(), `application ${third} has no sealed value and gets none`)
  t.ok([...after.values()].every((value) => value.sealed[0] === 2), 'every value is version 2')
  const open = (label: string) => {
    const value = after.get(label)!
    return box.open(value, value.sealed).toString()
  }
  t.equal(open(`application.apns_private_key:${first}`), 'apns pem 1')
  t.equal(open(`application.fcm_service_account:${first}`), '{"fcm":1}')
  t.equal(open(`application.fcm_service_account:${second}`), '{"fcm":2}')
  t.equal(open(`developer.secret:${alice}`), 'alice secret')
  t.throws(() => box.open({ column: 'application.fcm_service_account', rowId: second }, after.get(`application.fcm_service_account:${first}`)!.sealed),
    { code: DbErrorCode.SECRET_UNREADABLE }, 'now bound: the first application\'s value does not open as the second\'s')

  const again = await upgradeLegacySecretsOnce(pool, key)
  t.same(again, { upgradedNow: false, refused: [], markRestored: null })
  t.same(await sealedValues(pool), after, 'the second start changed no byte')
})

// The reviewer's finding: with write access and an old backup, a version-1 value of one's own
// secret planted into another row came out of the next start bound to that row.
// guarantee: legacy-secrets-refused-after-upgrade
t.test('after the upgrade, version-1 values planted from an old backup are refused by place and left as they are', async (t) => {
  const { pool, migrate } = await databaseOfBefore(t)
  const key = randomBytes(32)
  const box = createSecretBox(key)
  const backup = { mallory: sealVersion1(key, 'mallory secret'), apns: sealVersion1(key, 'pem of application 1') }
  const mallory = await insertDeveloper(pool, 'mallory', backup.mallory)
  const victim = await insertDeveloper(pool, 'victim', sealVersion1(key, 'victim secret'))
  const source = await insertApplication(pool, 1, { apns: backup.apns })
  const target = await insertApplication(pool, 2, {})
  await migrate()
  t.equal((await upgradeLegacySecretsOnce(pool, key)).upgradedNow, true)

  await pool.query('UPDATE developer SET secret = $1 WHERE id = $2', [backup.mallory, victim])
  await pool.query('UPDATE application SET apns_private_key = $1 WHERE id = $2', [backup.apns, target])
  const planted = await sealedValues(pool)
  const report = await upgradeLegacySecretsOnce(pool, key)
  t.same(report, {
    upgradedNow: false,
    refused: [{ column: 'application.apns_private_key', rowId: target }, { column: 'developer.secret', rowId: victim }],
    markRestored: null
  })
  t.same(await sealedValues(pool), planted, 'not re-sealed: no byte changed')
  t.throws(() => box.open({ column: 'developer.secret', rowId: victim }, planted.get(`developer.secret:${victim}`)!.sealed),
    { code: DbErrorCode.SECRET_LEGACY_FORMAT }, 'the victim\'s row does not open with mallory\'s secret')
  t.equal(box.open({ column: 'developer.secret', rowId: mallory }, planted.get(`developer.secret:${mallory}`)!.sealed).toString(), 'mallory secret')
  t.equal(box.open({ column: 'application.apns_private_key', rowId: source }, planted.get(`application.apns_private_key:${source}`)!.sealed).toString(),
    'pem of application 1', 'the source application is unaffected')
})

t.test('a new database is recorded as upgraded by its migration: nothing is re-sealed, a version-1 value is refused from the start', async (t) => {
  const pool = await newDatabase(t)
  t.type(await version1Mark(pool), Date, 'marked by the migration')
  const key = randomBytes(32)
  const planted = sealVersion1(key, 'planted')
  const developer = await insertDeveloper(pool, 'first', planted)
  t.same(await upgradeLegacySecretsOnce(pool, key), { upgradedNow: false, refused: [{ column: 'developer.secret', rowId: developer }], markRestored: null })
  t.same((await sealedValues(pool)).get(`developer.secret:${developer}`)?.sealed, planted, 'left as it was')
})

t.test('a database of before holding no version-1 value (all re-sealed by an earlier api) is recorded as upgraded by the migration', async (t) => {
  const { pool, migrate } = await databaseOfBefore(t)
  const key = randomBytes(32)
  const id = await insertDeveloper(pool, 'current', Buffer.alloc(0))
  await pool.query('UPDATE developer SET secret = $1 WHERE id = $2', [createSecretBox(key).seal({ column: 'developer.secret', rowId: id }, 'current'), id])
  await migrate()
  t.type(await version1Mark(pool), Date)
})

t.test('unsetting or deleting the record by hand does not re-open the upgrade: version-2 values or a missing row count as done', async (t) => {
  const pool = await newDatabase(t)
  const key = randomBytes(32)
  const box = createSecretBox(key)
  const alice = await insertDeveloper(pool, 'alice', Buffer.alloc(0))
  await pool.query('UPDATE developer SET secret = $1 WHERE id = $2', [box.seal({ column: 'developer.secret', rowId: alice }, 'alice secret'), alice])
  const victim = await insertDeveloper(pool, 'victim', sealVersion1(key, 'mallory secret'))
  const refused = [{ column: 'developer.secret', rowId: victim }]

  await pool.query('UPDATE sealed_secret_format SET version_1_retired_at = NULL')
  t.same(await upgradeLegacySecretsOnce(pool, key), { upgradedNow: false, refused, markRestored: 'version-2 values present' })
  t.type(await version1Mark(pool), Date, 'recorded again')

  await pool.query('DELETE FROM sealed_secret_format')
  t.same(await upgradeLegacySecretsOnce(pool, key), { upgradedNow: false, refused, markRestored: 'row missing' })
  t.type(await version1Mark(pool), Date, 'the row is back')
  t.equal((await sealedValues(pool)).get(`developer.secret:${victim}`)?.sealed[0], 1, 'still version 1, never re-sealed')
})

// guarantee: schema-outdated-refused
t.test('a database the migration has not reached: the start fails naming what to run', async (t) => {
  const { pool } = await databaseOfBefore(t)
  await t.rejects(upgradeLegacySecretsOnce(pool, randomBytes(32)), { code: DbErrorCode.SCHEMA_OUTDATED, message: /npm run db:migrate/ })
})

t.test('a version-1 value the master key cannot open is reported by place during the upgrade and left as it is', async (t) => {
  const { pool, migrate } = await databaseOfBefore(t)
  const key = randomBytes(32)
  const foreign = sealVersion1(randomBytes(32), 'sealed elsewhere')
  const good = await insertDeveloper(pool, 'good', sealVersion1(key, 'good secret'))
  const bad = await insertDeveloper(pool, 'bad', foreign)
  await migrate()
  const report = await upgradeLegacySecretsOnce(pool, key)
  t.match(report, { upgradedNow: true, unreadable: [{ column: 'developer.secret', rowId: bad }], resealed: { 'developer.secret': 1 } })
  const after = await sealedValues(pool)
  t.same(after.get(`developer.secret:${bad}`)?.sealed, foreign, 'unchanged')
  t.equal(after.get(`developer.secret:${good}`)?.sealed[0], 2)
})

// guarantee: legacy-secrets-upgraded-once
t.test('instances starting at once: one does the upgrade, each value is re-sealed once, the others find it done', async (t) => {
  const { pool, migrate } = await databaseOfBefore(t)
  const key = randomBytes(32)
  const box = createSecretBox(key)
  const ids: number[] = []
  for (let i = 0; i < 40; i++) ids.push(await insertDeveloper(pool, `dev-${i}`, sealVersion1(key, `secret ${i}`)))
  await migrate()
  const pools = [0, 1, 2].map(() => poolOf(t, pool.options.connectionString!, 1))

  const reports = await Promise.all(pools.map((p) => upgradeLegacySecretsOnce(p, key)))
  const upgraded = reports.filter((report) => report.upgradedNow)
  t.equal(upgraded.length, 1, 'one instance upgraded')
  t.match(upgraded[0], { resealed: { 'developer.secret': 40 }, replacedMeanwhile: 0 })
  t.same(reports.filter((report) => !report.upgradedNow), [
    { upgradedNow: false, refused: [], markRestored: null }, { upgradedNow: false, refused: [], markRestored: null }
  ], 'the others waited for it and found nothing to refuse')
  const after = await sealedValues(pool)
  for (const [i, id] of ids.entries()) {
    const value = after.get(`developer.secret:${id}`)!
    t.equal(box.open(value, value.sealed).toString(), `secret ${i}`)
  }
})

t.test('a secret written between the upgrade\'s read and its update is kept: the update is conditional on the bytes it read', async (t) => {
  const pool = await newDatabase(t)
  const key = randomBytes(32)
  const box = createSecretBox(key)
  const late = await insertDeveloper(pool, 'late', sealVersion1(key, 'old'))
  const replaced = box.seal({ column: 'developer.secret', rowId: late }, 'rotated meanwhile')
  const racing = {
    query: async (...args: Parameters<pg.Pool['query']>) => {
      if (typeof args[0] === 'string' && args[0].startsWith('UPDATE "developer"')) {
        await pool.query('UPDATE developer SET secret = $1 WHERE id = $2', [replaced, late])
      }
      return pool.query(...args)
    }
  } as unknown as pg.Pool
  const report = await resealVersion1(racing, key)
  t.same(report, { resealed: NOTHING_RESEALED, unreadable: [], replacedMeanwhile: 1 })
  t.same((await sealedValues(pool)).get(`developer.secret:${late}`)?.sealed, replaced, 'the newer value stays')
})

// A first start with the wrong MASTER_KEY (a misconfigured instance during the rolling upgrade)
// opened none of the version-1 values, yet recorded the upgrade as done: the right key could then
// never re-seal them, and every credential of every application and developer was refused for good.
// guarantee: legacy-upgrade-wrong-key-refused
t.test('a start whose MASTER_KEY opens none of the version-1 values does not record the upgrade', async (t) => {
  const { pool, migrate } = await databaseOfBefore(t)
  const key = randomBytes(32)
  const wrong = randomBytes(32)
  const app = await insertApplication(pool, 1, { apns: sealVersion1(key, 'apns pem'), fcm: sealVersion1(key, '{"fcm":1}') })
  const dev = await insertDeveloper(pool, 'alice', sealVersion1(key, 'alice secret'))
  await migrate()
  await t.rejects(upgradeLegacySecretsOnce(pool, wrong), { code: 'DB_SECRET_UNREADABLE', message: /^MASTER_KEY opens none of the 3 sealed secret\(s\) of the version-1 format \(application\.apns_private_key:\d+, application\.fcm_service_account:\d+, developer\.secret:\d+\)/ }, 'the wrong key is refused')
  t.equal(await version1Mark(pool), null, 'the upgrade is still pending after a start that could open nothing')
  const report = await upgradeLegacySecretsOnce(pool, key)
  t.comment(`right key: ${JSON.stringify(report)}`)
  t.match(report, { upgradedNow: true, resealed: { 'application.apns_private_key': 1, 'application.fcm_service_account': 1, 'developer.secret': 1 } },
    'the right key then re-seals them')
  t.ok(app > 0 && dev > 0)
})
