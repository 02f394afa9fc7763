import { randomBytes } from 'node:crypto'
import { jetstreamManager, StorageType } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import pg from 'pg'
import t from 'tap'
import { adminDatabaseUrl, cleanUpRun, natsRunStreamPrefix, testNatsUrl } from '../src/index.js'

t.test("drops a run's databases, roles and streams, and nothing of another run", async (t) => {
  // Two runs of their own, so this test never touches the run it is part of.
  const run = `c${randomBytes(4).toString('hex')}`
  const other = `c${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminDatabaseUrl })
  await admin.connect()
  const nc = await connect({ servers: testNatsUrl })
  const jsm = await jetstreamManager(nc)
  t.teardown(async () => {
    await cleanUpRun(run).catch(() => {}) // an assertion failed before the run's own cleanup
    await admin.query(`DROP DATABASE IF EXISTS "beacon_t_${other}_x"`)
    await admin.query(`DROP ROLE IF EXISTS "beacon_t_${other}_r"`)
    await jsm.streams.delete(`${natsRunStreamPrefix(other)}X_COMMANDS`).catch(() => false)
    await admin.end()
    await nc.close()
  })
  for (const id of [run, other]) {
    await admin.query(`CREATE DATABASE "beacon_t_${id}_x"`)
    await admin.query(`CREATE ROLE "beacon_t_${id}_r" NOLOGIN`)
    await jsm.streams.add({ name: `${natsRunStreamPrefix(id)}X_COMMANDS`, subjects: [`${id}.x.commands`] })
  }
  await admin.query(`CREATE DATABASE "beacon_tpl_${run}_0123456789"`)

  t.same(await cleanUpRun(run), { databases: 2, roles: 1, streams: 1 }, 'the test database, the template, the role and the stream')

  const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'beacon\\_%'")
  const names = rows.map((row) => row.datname)
  t.notOk(names.some((name) => name.includes(run)), "none of the run's databases is left")
  t.ok(names.includes(`beacon_t_${other}_x`), "another run's database stays")
  const { rows: roles } = await admin.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE 'beacon\\_t\\_%'")
  t.notOk(roles.some((role) => role.rolname.includes(run)), "none of the run's roles is left")
  t.ok(roles.some((role) => role.rolname === `beacon_t_${other}_r`), "another run's role stays")
  const streams: string[] = []
  for await (const name of jsm.streams.names()) streams.push(name)
  t.notOk(streams.some((name) => name.startsWith(natsRunStreamPrefix(run))), "none of the run's streams is left")
  t.ok(streams.includes(`${natsRunStreamPrefix(other)}X_COMMANDS`), "another run's stream stays")
  t.same(await cleanUpRun(run), { databases: 0, roles: 0, streams: 0 }, 'a second cleanup finds nothing')
})

t.test('a role it cannot drop is reported once the rest of the run is gone', async (t) => {
  const run = `c${randomBytes(4).toString('hex')}`
  const other = `c${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminDatabaseUrl })
  await admin.connect()
  const nc = await connect({ servers: testNatsUrl })
  const jsm = await jetstreamManager(nc)
  const held = `beacon_t_${run}_held`
  t.teardown(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "beacon_t_${other}_keep"`)
    await cleanUpRun(run).catch(() => {})
    await admin.end()
    await nc.close()
  })
  // A role of the run owns a table in a database of another run: DROP ROLE fails (2BP01).
  await admin.query(`CREATE DATABASE "beacon_t_${other}_keep"`)
  for (const role of [held, `beacon_t_${run}_free`, `beacon_t_${run}_zfree`]) await admin.query(`CREATE ROLE "${role}" NOLOGIN`)
  const keep = new URL(adminDatabaseUrl)
  keep.pathname = `/beacon_t_${other}_keep`
  const client = new pg.Client({ connectionString: keep.toString() })
  await client.connect()
  await client.query(`CREATE TABLE held (); ALTER TABLE held OWNER TO "${held}"`)
  await client.end()
  await admin.query(`CREATE DATABASE "beacon_t_${run}_x"`)
  await jsm.streams.add({ name: `${natsRunStreamPrefix(run)}X_COMMANDS`, subjects: [`${run}.x.commands`], storage: StorageType.Memory })

  const error = await cleanUpRun(run).then(() => 'cleaned', (e: unknown) => e)
  t.match(error, { message: new RegExp(`^run ${run} was not cleaned up in full: 1 role\\(s\\) left: role ${held} was not dropped: .*depend`) }, 'the role it could not drop is named, with why')
  const { rows: roles } = await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1 ORDER BY rolname', [`beacon_t_${run}_%`])
  t.same(roles.map((row) => row.rolname), [held], 'the roles before and after it are dropped')
  const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [`beacon_t_${run}_x`])
  t.equal(rowCount, 0, 'the database is dropped')
  const left: string[] = []
  for await (const name of jsm.streams.names()) if (name.startsWith(natsRunStreamPrefix(run))) left.push(name)
  t.same(left, [], 'and the streams after the roles are deleted')
})

t.test('a run of more streams than a page of the stream list leaves none behind', async (t) => {
  const run = `c${randomBytes(4).toString('hex')}`
  const nc = await connect({ servers: testNatsUrl })
  t.teardown(() => nc.close())
  const jsm = await jetstreamManager(nc)
  // The server lists stream names 1,024 at a time; a full run creates about as many.
  const count = 1100
  for (let i = 0; i < count; i++) {
    await jsm.streams.add({ name: `${natsRunStreamPrefix(run)}S${i}_COMMANDS`, subjects: [`${run}.s${i}.commands`], storage: StorageType.Memory })
  }
  t.same(await cleanUpRun(run), { databases: 0, roles: 0, streams: count })
  const left: string[] = []
  for await (const name of jsm.streams.names()) if (name.startsWith(natsRunStreamPrefix(run))) left.push(name)
  t.same(left, [], 'none left')
})
