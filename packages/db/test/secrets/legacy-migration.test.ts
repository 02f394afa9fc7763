import { randomBytes } from 'node:crypto'
import pg from 'pg'
import t, { type Test } from 'tap'
import { sealVersion1 } from '../../../testkit/src/legacy-sealed.js'
import { DbErrorCode } from '../../src/errors.js'
import { resealLegacySecrets } from '../../src/secrets/legacy-migration.js'
import { createSecretBox } from '../../src/secrets/secret-box.js'
import { createTestDatabase } from '../helpers/databases.js'
import { insertApplication, insertDeveloper, sealedValues } from '../helpers/sealed-rows.js'

async function migratedPool (t: Test): Promise<pg.Pool> {
  const database = await createTestDatabase()
  const pool = new pg.Pool({ connectionString: database.url, max: 4 })
  t.teardown(async () => {
    await pool.end()
    await database.drop()
  })
  return pool
}

t.test('version-1 values become version 2 bound to their place, and a second run changes nothing', async (t) => {
  const pool = await migratedPool(t)
  const key = randomBytes(32)
  const box = createSecretBox(key)
  // As the old code wrote them: sealed under MASTER_KEY itself, no place bound.
  const first = await insertApplication(pool, 1, { apns: sealVersion1(key, 'apns pem 1'), fcm: sealVersion1(key, '{"fcm":1}') })
  const second = await insertApplication(pool, 2, { fcm: sealVersion1(key, '{"fcm":2}') })
  const third = await insertApplication(pool, 3, {})
  const alice = await insertDeveloper(pool, 'alice', sealVersion1(key, 'alice secret'))
  const current = await insertDeveloper(pool, 'current', Buffer.alloc(0))
  // A developer sealed by the new code already: left alone.
  const currentSealed = box.seal({ column: 'developer.secret', rowId: current }, 'current secret')
  await pool.query('UPDATE developer SET secret = $1 WHERE id = $2', [currentSealed, current])

  const report = await resealLegacySecrets(pool, key)
  t.same(report, {
    resealed: { 'application.apns_private_key': 1, 'application.fcm_service_account': 2, 'developer.secret': 1 },
    unreadable: [],
    replacedMeanwhile: 0
  })
  const after = await sealedValues(pool)
  t.same([...after.keys()].sort(), [
    `application.apns_private_key:${first}`, `application.fcm_service_account:${first}`,
    `application.fcm_service_account:${second}`, `developer.secret:${alice}`, `developer.secret:${current}`
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
  t.same(after.get(`developer.secret:${current}`)?.sealed, currentSealed, 'the version-2 value is untouched')
  t.throws(() => box.open({ column: 'application.fcm_service_account', rowId: second }, after.get(`application.fcm_service_account:${first}`)!.sealed),
    { code: DbErrorCode.SECRET_UNREADABLE }, 'now bound: the first application\'s value does not open as the second\'s')

  const again = await resealLegacySecrets(pool, key)
  t.same(again.resealed, { 'application.apns_private_key': 0, 'application.fcm_service_account': 0, 'developer.secret': 0 })
  t.same(await sealedValues(pool), after, 'the second run changed no byte')
})

t.test('a version-1 value the master key cannot open is reported by place and left as it is', async (t) => {
  const pool = await migratedPool(t)
  const key = randomBytes(32)
  const foreign = sealVersion1(randomBytes(32), 'sealed elsewhere')
  const good = await insertDeveloper(pool, 'good', sealVersion1(key, 'good secret'))
  const bad = await insertDeveloper(pool, 'bad', foreign)
  const report = await resealLegacySecrets(pool, key)
  t.same(report.unreadable, [{ column: 'developer.secret', rowId: bad }])
  t.equal(report.resealed['developer.secret'], 1)
  const after = await sealedValues(pool)
  t.same(after.get(`developer.secret:${bad}`)?.sealed, foreign, 'unchanged')
  t.equal(after.get(`developer.secret:${good}`)?.sealed[0], 2)
})

t.test('instances migrating at once re-seal each value exactly once and lose no concurrent write', async (t) => {
  const pool = await migratedPool(t)
  const key = randomBytes(32)
  const box = createSecretBox(key)
  const ids: number[] = []
  for (let i = 0; i < 40; i++) ids.push(await insertDeveloper(pool, `dev-${i}`, sealVersion1(key, `secret ${i}`)))
  const pools = [0, 1, 2].map(() => new pg.Pool({ connectionString: pool.options.connectionString, max: 1 }))
  t.teardown(() => Promise.all(pools.map((p) => p.end())))

  const reports = await Promise.all(pools.map((p) => resealLegacySecrets(p, key)))
  const resealed = reports.reduce((sum, report) => sum + report.resealed['developer.secret'], 0)
  t.equal(resealed, 40, 'each value re-sealed by one instance')
  const after = await sealedValues(pool)
  for (const [i, id] of ids.entries()) {
    const value = after.get(`developer.secret:${id}`)!
    t.equal(box.open(value, value.sealed).toString(), `secret ${i}`)
  }

  // A new secret written between the migration's read and its update is kept: the update is
  // conditional on the bytes it read.
  const late = await insertDeveloper(pool, 'late', sealVersion1(key, 'old'))
  const replaced = box.seal({ column: 'developer.secret', rowId: late }, 'rotated meanwhile')
  const racing = new pg.Pool({ connectionString: pool.options.connectionString, max: 1 })
  t.teardown(() => racing.end())
  const realQuery = racing.query.bind(racing) as (...args: unknown[]) => Promise<pg.QueryResult>
  racing.query = (async (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('UPDATE "developer"')) {
      await pool.query('UPDATE developer SET secret = $1 WHERE id = $2', [replaced, late])
    }
    return realQuery(...args)
  }) as typeof racing.query
  const report = await resealLegacySecrets(racing, key)
  t.equal(report.replacedMeanwhile, 1)
  t.equal(report.resealed['developer.secret'], 0)
  t.same((await sealedValues(pool)).get(`developer.secret:${late}`)?.sealed, replaced, 'the newer value stays')
})
