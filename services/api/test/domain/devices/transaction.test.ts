import { backoffDelay } from '@beacon/backoff'
import t from 'tap'
import { CONFLICT_BACKOFF, deviceTransaction, isTransientConflict, retryTransientConflicts } from '../../../src/domain/devices/transaction.js'
import { buildApp } from '../../helper.js'
import { createApplication } from '../../routes/devices/fixtures.js'

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('a transaction that loses a deadlock is tried again and succeeds', async (t) => {
  const { app } = await buildApp(t)
  const application = await createApplication(app, 2)
  const [a, b] = await Promise.all(['a', 'b'].map((pushToken) =>
    app.db.device.create({ data: { applicationId: application.id, pushToken, platform: 'APNS' } })))
  const attempts = { first: 0, second: 0 }
  // Each locks one row, waits until the other holds its row, then wants the other's: PostgreSQL
  // aborts one of them with a deadlock; only on the first attempts, so the retry can succeed.
  const crossing = (name: 'first' | 'second', mine: bigint, theirs: bigint) => deviceTransaction(app.db, async (tx) => {
    attempts[name]++
    await tx.$executeRaw`UPDATE device SET platform = 'FCM' WHERE id = ${mine}`
    if (attempts.first + attempts.second <= 2) await pause(300)
    await tx.$executeRaw`UPDATE device SET platform = 'FCM' WHERE id = ${theirs}`
    return name
  })
  const results = await Promise.all([crossing('first', a!.id, b!.id), crossing('second', b!.id, a!.id)])
  t.same(results, ['first', 'second'], 'both transactions completed')
  t.equal(attempts.first + attempts.second, 3, 'exactly one of them needed a second attempt')
  t.equal(await app.db.device.count({ where: { platform: 'FCM' } }), 2)
})

t.test('other failures are not retried', async (t) => {
  const { app } = await buildApp(t)
  let attempts = 0
  await t.rejects(deviceTransaction(app.db, async (tx) => {
    attempts++
    await tx.$executeRaw`SELECT 1 / 0`
  }))
  t.equal(attempts, 1)
  t.notOk(isTransientConflict(new Error('deadlock detected')), 'only Prisma errors qualify')
})

t.test('statements sent through the pool are retried on the same SQLSTATEs, and only on them', async (t) => {
  const { app } = await buildApp(t)
  const failures = await Promise.all([
    app.db.pool.query('DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = \'40P01\', MESSAGE = \'deadlock\'; END $$').catch((e: unknown) => e),
    app.db.pool.query('DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = \'23505\', MESSAGE = \'unique\'; END $$').catch((e: unknown) => e),
    app.db.pool.query('SELECT 1 / 0').catch((e: unknown) => e)
  ])
  t.same(failures.map(isTransientConflict), [true, true, false], 'deadlock and unique violation yes, division by zero no')
  let attempts = 0
  const value = await retryTransientConflicts(async () => {
    attempts++
    if (attempts === 1) await app.db.pool.query('DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = \'40001\', MESSAGE = \'serialization\'; END $$')
    return 'done'
  })
  t.equal(value, 'done')
  t.equal(attempts, 2, 'a serialization failure was tried again')
})

t.test('the pauses between attempts: below 20 ms, then below 40 ms, anything from 0 (full jitter)', async (t) => {
  const pauses = (random: () => number) => [1, 2].map((tries) => backoffDelay(CONFLICT_BACKOFF, tries, random))
  t.same(pauses(() => 0), [0, 0])
  t.same(pauses(() => 0.5), [10, 20])
  t.same(pauses(() => 1 - Number.EPSILON / 2).map(Math.ceil), [20, 40])
  for (let draw = 0; draw < 200; draw++) {
    const [first, second] = pauses(Math.random)
    if (!(first! >= 0 && first! < 20 && second! >= 0 && second! < 40)) t.fail(`${first}, ${second}`)
  }
})
