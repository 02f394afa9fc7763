// `npm run db:migrate`, and the image's entry point: `migrate-cli.js && exec node server.js`. Its
// exit code is what keeps an api from starting on a database the migrations did not reach.
import t from 'tap'
import { spawnService } from '../../testkit/src/processes.js'
import { createEmptyDatabase, withClient } from './helpers/databases.js'
import { databaseUrl } from '../../testkit/src/database.js'

const CLI = 'packages/db/src/migrate-cli.ts'
// Whatever the environment running the tests holds, only what each test gives.
const unset = { DATABASE_URL: '', DATABASE_URL_FILE: '' }

t.test('no DATABASE_URL: exit 1, saying what is missing', async (t) => {
  const cli = spawnService(CLI, unset)
  t.equal(await cli.exited, 1)
  t.match(cli.output(), /DATABASE_URL is required \(or DATABASE_URL_FILE, the path of a file holding it\)/)
  t.match(cli.output(), /DATABASE_URL must name the PostgreSQL database to migrate/)
})

t.test('a database it cannot migrate: exit 1 (the api after it does not start), the password not shown', async (t) => {
  const url = new URL(databaseUrl('beacon_t_no_such_database'))
  url.password = 'hunter2-S3cret'
  const cli = spawnService(CLI, { ...unset, DATABASE_URL: url.toString() })
  t.equal(await cli.exited, 1)
  t.match(cli.output(), /beacon_t_no_such_database/, 'the cause is told')
  t.notMatch(cli.output(), /hunter2/)
})

t.test('an empty database: every migration applied, exit 0; run again, nothing to do', async (t) => {
  const db = await createEmptyDatabase()
  t.teardown(db.drop)
  const first = spawnService(CLI, { ...unset, DATABASE_URL: db.url })
  t.equal(await first.exited, 0)
  t.match(first.output(), /^applied: \d+_/m)
  const recorded = await withClient(db.url, async (client) => (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM "_prisma_migrations"')).rows[0]!.n)
  t.ok(recorded > 0)
  const second = spawnService(CLI, { ...unset, DATABASE_URL: db.url })
  t.equal(await second.exited, 0)
  t.match(second.output(), /database is up to date/)
})
