import pg from 'pg'
import t from 'tap'
import { queryRecentlyWritten } from '../../src/planning/recently-written.js'
import { createEmptyDatabase } from '../helpers/databases.js'

t.test('queryRecentlyWritten: the statement is planned at random_page_cost 1.1, in a transaction of its own that ends either way', async (t) => {
  const database = await createEmptyDatabase()
  t.teardown(database.drop)
  // One connection: what the helper leaves on it, the next statement meets.
  const pool = new pg.Pool({ connectionString: database.url, max: 1 })
  // pool.end() resolves before its client has closed, and the database's drop (WITH FORCE) may then
  // terminate it ("terminating connection due to administrator command"): without a listener that
  // error ended the test process after every assertion passed (seen once in a full run). Only at
  // teardown: an error before it is the test's (its checks need the one connection throughout).
  t.teardown(() => { pool.on('error', () => {}); return pool.end() })
  const setting = async () => (await pool.query<{ random_page_cost: string }>('SHOW random_page_cost')).rows[0]!.random_page_cost
  const backend = async () => (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
  const first = await backend()
  const server = await setting()
  await pool.query('CREATE TABLE recent (id int PRIMARY KEY)')

  const inside = await queryRecentlyWritten<{ random_page_cost: string }>(pool, { text: 'SHOW random_page_cost' })
  t.equal(inside.rows[0]!.random_page_cost, '1.1', 'planned as for cached pages')
  t.equal(await setting(), server, 'the connection keeps the server\'s setting afterwards')

  const written = await queryRecentlyWritten(pool, { text: 'INSERT INTO recent VALUES ($1), ($2)', values: [1, 2] })
  t.equal(written.rowCount, 2)
  t.equal((await pool.query('SELECT * FROM recent')).rowCount, 2, 'committed')

  await t.rejects(queryRecentlyWritten(pool, { text: 'INSERT INTO recent VALUES ($1), ($2)', values: [3, 1] }), { code: '23505' }, 'a failing statement rejects with the database\'s error')
  t.same((await pool.query<{ id: number }>('SELECT id FROM recent ORDER BY id')).rows.map((row) => row.id), [1, 2], 'nothing of it stays: rolled back')
  const { rows: [state] } = await pool.query<{ in_transaction: boolean }>('SELECT now() <> statement_timestamp() AS in_transaction')
  t.equal(state!.in_transaction, false, 'the connection is back outside any transaction')
  t.equal(await setting(), server)
  t.equal(await backend(), first, 'every check above ran on the one connection')
  await t.rejects(queryRecentlyWritten(pool, { name: 'prepared', text: 'SELECT 1' } as never), TypeError, 'a named statement is refused: it would keep its first plan')
})
