import pg from 'pg'
import t from 'tap'
import { queryWithoutJit } from '../../src/planning/without-jit.js'
import { createEmptyDatabase } from '../helpers/databases.js'

// Whether PostgreSQL compiled a statement: EXPLAIN ANALYZE reports its JIT when it did.
const compiled = (result: pg.QueryResult) => 'JIT' in (result.rows[0]!['QUERY PLAN'] as Array<Record<string, unknown>>)[0]!

t.test('queryWithoutJit: the statement runs without JIT compilation, in a transaction of its own; the connection keeps its setting', async (t) => {
  const database = await createEmptyDatabase()
  t.teardown(database.drop)
  // One connection: what the helper leaves on it, the next statement meets.
  const pool = new pg.Pool({ connectionString: database.url, max: 1 })
  t.teardown(() => { pool.on('error', () => {}); return pool.end() })
  const { rows: [server] } = await pool.query<{ available: boolean }>('SELECT pg_jit_available() AS available')
  t.equal(server!.available, true, 'this PostgreSQL can compile (the control below needs it)')
  // Every statement costs more than this: each would be compiled.
  await pool.query('SET jit_above_cost = 0')
  const statement = { text: 'EXPLAIN (ANALYZE, FORMAT JSON) SELECT count(*) FROM generate_series(1, $1::int) AS g WHERE g % 7 = 0', values: [1000] }
  t.equal(compiled(await pool.query(statement)), true, 'the control: compiled when run as it is')
  t.equal(compiled(await queryWithoutJit(pool, statement)), false, 'not compiled through queryWithoutJit')
  t.equal(compiled(await pool.query(statement)), true, 'the connection compiles again afterwards')
  const { rows: [state] } = await pool.query<{ in_transaction: boolean }>('SELECT now() <> statement_timestamp() AS in_transaction')
  t.equal(state!.in_transaction, false, 'the connection is back outside any transaction')
})
