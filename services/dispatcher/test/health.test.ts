// A scrape's check of the database (health.check), against a pool whose answers the test decides:
// what pauses the dispatcher, what does not, and that a check never hangs a scrape.
import type { Db } from '@beacon/db'
import type { Transport } from '@beacon/transport'
import type { Logger } from 'pino'
import t, { type Test } from 'tap'
import { createHealth } from '../src/health.js'

const timing = { timeoutMs: 200, everyMs: 1000 }

function fixture (t: Test, answer: () => Promise<unknown>, pool: { totalCount?: number, idleCount?: number, waitingCount?: number } = {}) {
  const queries: unknown[] = []
  const fakePool = { totalCount: 1, idleCount: 1, waitingCount: 0, ...pool, query: (config: unknown) => { queries.push(config); return answer() } }
  const warnings: string[] = []
  const log = { warn: (_: unknown, message: string) => { warnings.push(message) }, info: () => {}, debug: () => {} } as unknown as Logger
  const transport = { watchConnection: () => ({ stop: async () => {} }) } as unknown as Transport
  const health = createHealth({ pool: fakePool } as unknown as Db, transport, log, timing)
  t.teardown(() => health.close())
  return { health, queries, warnings }
}

const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))
const never = () => new Promise<never>(() => {})

t.test('a refused connection pauses an idle dispatcher, logged once', async (t) => {
  const { health, queries, warnings } = fixture(t, refused)
  await health.check()
  t.equal(health.isUp('database'), false)
  t.equal(queries.length, 1)
  t.same(warnings, ['dispatcher paused: database unreachable'])
})

t.test('no answer from an idle pool within the timeout is a database gone silent; the scrape does not wait for it, and no statement piles up', async (t) => {
  const { health, queries } = fixture(t, never)
  // The check's timers do not keep a process alive (they are unref'd): this test's process needs something that does.
  const alive = setInterval(() => {}, 1000)
  t.teardown(() => { clearInterval(alive) })
  await health.check()
  t.equal(health.isUp('database'), false, 'paused, though the statement never answered')
  // The probe of a paused dispatcher asks every second: it waits for the statement still out.
  await new Promise((resolve) => setTimeout(resolve, 2500))
  t.equal(health.isUp('database'), false)
  t.equal(queries.length, 1, 'one statement in the pool, not one per probe')
})

t.test("node-postgres's read timeout is a database gone silent too", async (t) => {
  const { health } = fixture(t, () => Promise.reject(new Error('Query read timeout')))
  await health.check()
  t.equal(health.isUp('database'), false)
})

t.test('an answer, or an error the database itself gave, keeps it up', async (t) => {
  for (const answer of [() => Promise.resolve({ rows: [] }), () => Promise.reject(Object.assign(new Error('permission denied'), { code: '42501' }))]) {
    const { health, warnings } = fixture(t, answer)
    await health.check()
    t.equal(health.isUp('database'), true)
    t.same(warnings, [])
  }
})

t.test('a busy pool is not asked: its own statements find an outage, and a check would queue behind them', async (t) => {
  for (const pool of [{ totalCount: 10, idleCount: 3 }, { totalCount: 10, idleCount: 10, waitingCount: 1 }]) {
    const { health, queries } = fixture(t, refused, pool)
    await health.check()
    t.equal(queries.length, 0, JSON.stringify(pool))
    t.equal(health.isUp('database'), true)
  }
})

t.test('scrapes share one check, and ask again only after everyMs', async (t) => {
  let release = () => {}
  const { health, queries } = fixture(t, () => new Promise((resolve) => { release = () => { resolve({ rows: [] }) } }))
  const scrapes = [health.check(), health.check(), health.check()]
  release()
  await Promise.all(scrapes)
  await health.check()
  t.equal(queries.length, 1, 'one statement for four scrapes within a second')
  t.equal(health.isUp('database'), true)
})

t.test('a closed health asks nothing', async (t) => {
  const { health, queries } = fixture(t, refused)
  await health.close()
  await health.check()
  t.equal(queries.length, 0)
})
