import { createRequire } from 'node:module'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import t from 'tap'
import { createDb } from '../src/client.js'
import { createTestDatabase } from './helpers/databases.js'

// Prisma's debug helper kept the arguments of its last 100 calls whether or not debugging was on,
// in two copies: @prisma/debug, to which @prisma/adapter-pg hands every query with its values, and
// the one bundled in @prisma/client's runtime, which gets every request's (patches/@prisma__*.patch).
// An api held the user lists of its last 100 campaign user/add requests, up to 5 MB of JSON each
// against its 160 MB heap (300,000 users added in 30 requests: 19 MB more live heap until the api
// restarted). The first test reads the adapter's history in the very module instance it uses; the
// client's copy is not exported, so the second weighs the heap.
const require = createRequire(import.meta.url)
const adapterUtils = createRequire(require.resolve('@prisma/adapter-pg')).resolve('@prisma/driver-adapter-utils')
const debugEntry = createRequire(adapterUtils).resolve('@prisma/debug')
const { getLogs } = await import(pathToFileURL(join(dirname(debugEntry), 'index.mjs')).href) as { getLogs: (chars?: number) => string }

t.test('a query\'s values are not kept after it ran (Prisma\'s debug history stays empty while debugging is off)', async (t) => {
  t.equal(process.env.DEBUG ?? '', '', 'premise: no DEBUG namespace enabled')
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const client = createDb({ url: db.url, poolSize: 1 })
  t.teardown(() => client.$disconnect())
  const marker = `kept-value-${Date.now()}`
  const values = Array.from({ length: 1000 }, (_, i) => `${marker}-${i}`)
  const [row] = await client.$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM unnest(${values}::text[])`
  t.equal(row?.n, 1000, 'the query ran through the adapter')
  t.notMatch(getLogs(1_000_000), marker, 'none of its values is held in the debug history')
})

// guarantee: no-query-values-kept
t.test('100 requests of 5,000 values each leave no more live heap than they found (neither copy keeps them)', async (t) => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const client = createDb({ url: db.url, poolSize: 1 })
  t.teardown(() => client.$disconnect())
  // Each request's values are ~400 KB of heap (5,000 strings of 64 characters): unpatched, the client's
  // copy alone kept 12 MB of them (its last 100 calls span ~33 requests), the adapter's more.
  const run = async (round: number) => {
    const values = Array.from({ length: 5000 }, (_, i) => `${round}-${i}-`.padEnd(64, 'x'))
    await client.$queryRaw`SELECT count(*)::int AS n FROM unnest(${values}::text[])`
  }
  // Warm-up: the first requests compile and cache what every later one reuses.
  for (let round = 0; round < 10; round++) await run(round)
  gc()
  const before = process.memoryUsage().heapUsed
  for (let round = 10; round < 110; round++) await run(round)
  gc()
  const grown = (process.memoryUsage().heapUsed - before) / 1e6
  t.ok(grown < 4, `live heap grew ${grown.toFixed(1)} MB over 100 requests (at most 4 allowed)`)
})
