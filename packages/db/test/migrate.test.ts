import { createHash } from 'node:crypto'
import { appendFile, cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import t, { type Test } from 'tap'
import { applyMigrations, defaultMigrationsDir, describeLockHolder, readMigrations, type MigrationLockHolder } from '../src/migrate.js'
import { DbError, DbErrorCode } from '../src/errors.js'
import { createEmptyDatabase, withClient, type EmptyDatabase } from './helpers/databases.js'

interface MigrationRow {
  migration_name: string
  checksum: string
  finished_at: Date | null
  rolled_back_at: Date | null
  applied_steps_count: number
  logs: string | null
}

async function freshDatabase (t: Test): Promise<EmptyDatabase> {
  const db = await createEmptyDatabase()
  t.teardown(db.drop)
  return db
}

function recorded (url: string): Promise<MigrationRow[]> {
  return withClient(url, async (client) => (await client.query<MigrationRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM "_prisma_migrations" ORDER BY migration_name'
  )).rows)
}

function tableExists (url: string, name: string): Promise<boolean> {
  return withClient(url, async (client) => (await client.query('SELECT to_regclass($1) AS t', [`public.${name}`])).rows[0].t !== null)
}

/** A migrations folder of `sql` scripts named 0001_m0, 0002_m1, ... in a fresh test directory. */
async function migrationsDir (t: Test, sql: string[]): Promise<string> {
  const dir = t.testdir()
  for (const [i, script] of sql.entries()) {
    const name = `${String(i + 1).padStart(4, '0')}_m${i}`
    await mkdir(join(dir, name))
    await writeFile(join(dir, name, 'migration.sql'), script)
  }
  return dir
}

function sha256 (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

t.test('applies every migration of prisma/migrations and records it the way Prisma does', async (t) => {
  const db = await freshDatabase(t)
  const names = (await readdir(defaultMigrationsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort()
  t.ok(names.length > 0)

  t.same(await applyMigrations(db.url), names)

  const rows = await recorded(db.url)
  t.same(rows.map((r) => r.migration_name), names)
  for (const row of rows) {
    const sql = await readFile(join(defaultMigrationsDir, row.migration_name, 'migration.sql'), 'utf8')
    t.equal(row.checksum, sha256(sql), `${row.migration_name}: checksum is the sha256 of its file`)
    t.type(row.finished_at, Date, `${row.migration_name}: finished`)
    t.equal(row.rolled_back_at, null)
    t.equal(row.applied_steps_count, 1)
  }
  t.ok(await tableExists(db.url, 'application'), 'the schema itself was created')

  // prisma migrate deploy|status read this table: same columns, types and nullability as Prisma's.
  const columns = await withClient(db.url, async (client) => (await client.query(
    `SELECT column_name AS name, data_type AS type, character_maximum_length AS length, is_nullable AS nullable
       FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`
  )).rows)
  t.same(columns, [
    { name: 'id', type: 'character varying', length: 36, nullable: 'NO' },
    { name: 'checksum', type: 'character varying', length: 64, nullable: 'NO' },
    { name: 'finished_at', type: 'timestamp with time zone', length: null, nullable: 'YES' },
    { name: 'migration_name', type: 'character varying', length: 255, nullable: 'NO' },
    { name: 'logs', type: 'text', length: null, nullable: 'YES' },
    { name: 'rolled_back_at', type: 'timestamp with time zone', length: null, nullable: 'YES' },
    { name: 'started_at', type: 'timestamp with time zone', length: null, nullable: 'NO' },
    { name: 'applied_steps_count', type: 'integer', length: null, nullable: 'NO' }
  ])
})

t.test('a second run applies nothing', async (t) => {
  const db = await freshDatabase(t)
  const first = await applyMigrations(db.url)
  t.ok(first.length > 0)
  t.same(await applyMigrations(db.url), [])
  t.equal((await recorded(db.url)).length, first.length, 'no row added')
})

t.test('only migrations added since the last run are applied', async (t) => {
  const db = await freshDatabase(t)
  const dir = await migrationsDir(t, ['CREATE TABLE one (id int);'])
  t.same(await applyMigrations(db.url, dir), ['0001_m0'])
  await mkdir(join(dir, '0002_two'))
  await writeFile(join(dir, '0002_two', 'migration.sql'), 'CREATE TABLE two (id int);')
  t.same(await applyMigrations(db.url, dir), ['0002_two'])
  t.ok(await tableExists(db.url, 'two'))
})

// guarantee: migration-changed-refused
t.test('a migration changed after it was applied stops the runner: DB_MIGRATION_MODIFIED', async (t) => {
  const db = await freshDatabase(t)
  const dir = t.testdir()
  await cp(defaultMigrationsDir, dir, { recursive: true })
  const [first] = await readMigrations(dir)
  if (first === undefined) throw new Error('prisma/migrations is empty')
  await applyMigrations(db.url, dir)

  await appendFile(join(dir, first.name, 'migration.sql'), '\n-- edited afterwards\n')
  await mkdir(join(dir, '9999_later'))
  await writeFile(join(dir, '9999_later', 'migration.sql'), 'CREATE TABLE later (id int);')

  const error = await applyMigrations(db.url, dir).catch((e: unknown) => e)
  t.type(error, DbError)
  t.equal((error as DbError).code, DbErrorCode.MIGRATION_MODIFIED)
  t.match((error as DbError).message, first.name)
  t.notOk(await tableExists(db.url, 'later'), 'nothing after the edited migration ran')
  t.notOk((await recorded(db.url)).some((r) => r.migration_name === '9999_later'))
})

t.test('line endings changed by git are not a modification (as in Prisma)', async (t) => {
  const db = await freshDatabase(t)
  const lf = 'CREATE TABLE one (id int);\nCREATE TABLE two (id int);\n'
  const dir = await migrationsDir(t, [lf])
  const file = join(dir, '0001_m0', 'migration.sql')
  t.same(await applyMigrations(db.url, dir), ['0001_m0'])

  await writeFile(file, lf.replaceAll('\n', '\r\n'))
  t.same(await applyMigrations(db.url, dir), [], 'CRLF checkout of an LF-applied migration')

  const crlfDb = await freshDatabase(t)
  t.same(await applyMigrations(crlfDb.url, dir), ['0001_m0'])
  await writeFile(file, lf)
  t.same(await applyMigrations(crlfDb.url, dir), [], 'LF checkout of a CRLF-applied migration')

  await writeFile(file, lf.replace('two', 'three'))
  const error = await applyMigrations(crlfDb.url, dir).catch((e: unknown) => e)
  t.equal((error as DbError).code, DbErrorCode.MIGRATION_MODIFIED, 'a real edit still is one')
})

t.test('a failing migration: DB_MIGRATION_FAILED, nothing half-applied, not recorded', async (t) => {
  const db = await freshDatabase(t)
  const dir = await migrationsDir(t, [
    'CREATE TABLE good (id int);',
    'CREATE TABLE half (id int);\nINSERT INTO half VALUES (1);\nSELECT * FROM no_such_table;'
  ])

  const error = await applyMigrations(db.url, dir).catch((e: unknown) => e)
  t.type(error, DbError)
  t.equal((error as DbError).code, DbErrorCode.MIGRATION_FAILED)
  t.match((error as DbError).message, /0002_m1 failed: .*no_such_table/)

  t.ok(await tableExists(db.url, 'good'), 'the migration before it stays applied')
  t.notOk(await tableExists(db.url, 'half'), 'the failing migration was rolled back as a whole')
  t.same((await recorded(db.url)).map((r) => r.migration_name), ['0001_m0'])

  // Once fixed, the next run applies it.
  await writeFile(join(dir, '0002_m1', 'migration.sql'), 'CREATE TABLE half (id int);')
  t.same(await applyMigrations(db.url, dir), ['0002_m1'])
  t.ok(await tableExists(db.url, 'half'))
})

t.test('a migration and its record commit together', async (t) => {
  const db = await freshDatabase(t)
  // The script succeeds but makes its own bookkeeping row impossible: recording it fails after
  // the script ran, and the script must be rolled back with it.
  const dir = await migrationsDir(t, [
    'CREATE TABLE orphan (id int);\nALTER TABLE "_prisma_migrations" ADD CONSTRAINT refuse_rows CHECK (false) NOT VALID;'
  ])
  const error = await applyMigrations(db.url, dir).catch((e: unknown) => e)
  t.equal((error as DbError).code, DbErrorCode.MIGRATION_FAILED)
  t.notOk(await tableExists(db.url, 'orphan'), 'the script is undone when its record cannot be written')
  t.same(await recorded(db.url), [])
})

// guarantee: migrations-concurrent-starts
t.test('concurrent runs apply each migration once (advisory lock)', async (t) => {
  const db = await freshDatabase(t)
  // pg_sleep keeps the first run inside its lock long enough for the others to queue behind it.
  const dir = await migrationsDir(t, ['SELECT pg_sleep(0.3);\nCREATE TABLE a (id int);', 'CREATE TABLE b (id int);'])
  const runs = await Promise.all([1, 2, 3].map(() => applyMigrations(db.url, dir)))
  const applied = runs.flat().sort()
  t.same(applied, ['0001_m0', '0002_m1'], 'each migration reported by exactly one run')
  t.equal(runs.filter((names) => names.length === 2).length, 1, 'one run did all the work')
  t.same((await recorded(db.url)).map((r) => r.migration_name), ['0001_m0', '0002_m1'])
})

// guarantee: migration-lock-wait-told
t.test('a run that waits for another\'s lock says who holds it, then applies the migrations once it is free', async (t) => {
  const db = await freshDatabase(t)
  const dir = await migrationsDir(t, ['CREATE TABLE a (id int);'])
  // Another runner (as a vanished host's would) holds the lock the runners and prisma migrate deploy share.
  const holder = new pg.Client({ connectionString: db.url, application_name: 'other-runner' })
  await holder.connect()
  t.teardown(() => holder.end().catch(() => {}))
  const { rows: [own] } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_advisory_lock(72707369)')
  const waits: Array<MigrationLockHolder | null> = []
  const run = applyMigrations(db.url, dir, { onLockWait: (who) => { waits.push(who) } })
  const deadline = Date.now() + 10_000
  while (waits.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.match(waits, [{ pid: own!.pid, application: 'other-runner', clientAddress: /^127\.0\.0\.1|^::1/ }], 'told once, naming the holder')
  t.match(describeLockHolder(waits[0]!), new RegExp(`^waiting for another migration run to finish: PostgreSQL backend ${own!.pid} \\("other-runner", from `))
  t.equal(await withClient(db.url, async (client) => (await client.query<{ absent: boolean }>('SELECT to_regclass(\'a\') IS NULL AS absent')).rows[0]?.absent), true, 'nothing applied while it waits')
  await holder.query('SELECT pg_advisory_unlock(72707369)')
  t.same(await run, ['0001_m0'], 'applied once the lock is free')
  t.equal(waits.length, 1, 'told once')
})

// guarantee: migration-deadlock-retried
t.test('a migration chosen as a deadlock\'s victim is run again', async (t) => {
  const db = await freshDatabase(t)
  await withClient(db.url, (client) => client.query('CREATE TABLE first (id int); CREATE TABLE second (id int)'))
  // The migration locks first, then second; a transaction of the application, second, then first.
  // The migration checks for the deadlock after 5 s of waiting: by then the other side waits too.
  const dir = await migrationsDir(t, ["SET LOCAL deadlock_timeout = '5s';\nLOCK TABLE first IN ACCESS EXCLUSIVE MODE;\nLOCK TABLE second IN ACCESS EXCLUSIVE MODE;\nCREATE TABLE done (id int);"])
  const other = new pg.Client({ connectionString: db.url })
  await other.connect()
  t.teardown(() => other.end())
  // The server looks for deadlocks after deadlock_timeout of waiting; the other
  // side looks much later, so the migration, which waits first, is the one rolled back.
  await other.query("BEGIN; SET LOCAL deadlock_timeout = '60s'; LOCK TABLE second IN ACCESS EXCLUSIVE MODE")
  const applied = applyMigrations(db.url, dir)
  await waitForLockWait(other)
  const otherDone = other.query('LOCK TABLE first IN ACCESS EXCLUSIVE MODE').then(() => other.query('COMMIT'))
  t.same(await applied, ['0001_m0'], 'applied on its second attempt')
  await otherDone
  t.ok(await tableExists(db.url, 'done'))
  t.same((await recorded(db.url)).map((r) => r.migration_name), ['0001_m0'], 'recorded once')
})

// guarantee: migration-deadlock-retried
t.test('a migration that waits past its lock_timeout is reported at once, not run again', async (t) => {
  const db = await freshDatabase(t)
  await withClient(db.url, (client) => client.query('CREATE TABLE held (id int)'))
  const dir = await migrationsDir(t, ["SET LOCAL lock_timeout = '200ms';\nLOCK TABLE held IN ACCESS EXCLUSIVE MODE;\nCREATE TABLE done (id int);"])
  const holder = new pg.Client({ connectionString: db.url })
  await holder.connect()
  t.teardown(() => holder.end())
  await holder.query('BEGIN; LOCK TABLE held IN ACCESS SHARE MODE')
  // Count the migration's lock waits: each attempt waits once.
  const waits: number[] = []
  const watching = (async () => {
    let waiting = false
    for (let i = 0; i < 160; i++) {
      const { rows } = await holder.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
      await holder.query('SELECT pg_stat_clear_snapshot()')
      if (rows[0]!.n > 0 && !waiting) waits.push(Date.now())
      waiting = rows[0]!.n > 0
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  })()
  const error = await applyMigrations(db.url, dir).then(() => 'applied', (e: unknown) => e)
  t.match(error, { code: 'DB_MIGRATION_FAILED', cause: { code: '55P03' } }, 'the lock timeout is the error')
  // Long enough for two more attempts (the retry waits 100 ms, then 200 ms, and each waits 200 ms).
  await watching
  t.equal(waits.length, 1, 'the migration waited for the lock once')
  await holder.query('COMMIT')
  t.notOk(await tableExists(db.url, 'done'))
  t.same(await recorded(db.url), [], 'nothing recorded')
})

/** Resolves once a session of the client's database waits for a lock. */
async function waitForLockWait (observer: pg.Client): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    const { rows } = await observer.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
    if (rows[0]!.n > 0) return
    await observer.query('SELECT pg_stat_clear_snapshot()')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('no session ever waited for a lock')
}

t.test('a migration Prisma recorded as failed or rolled back is not taken for applied: it is run', async (t) => {
  const db = await freshDatabase(t)
  const dir = await migrationsDir(t, ['CREATE TABLE one (id int);'])
  t.same(await applyMigrations(db.url, dir), ['0001_m0'])
  for (const [name, sql] of [['0002_m1', 'CREATE TABLE two (id int);'], ['0003_m2', 'CREATE TABLE three (id int);']] as const) {
    await mkdir(join(dir, name))
    await writeFile(join(dir, name, 'migration.sql'), sql)
  }
  // What `prisma migrate deploy` leaves after 0002 failed (finished_at null), and after
  // `prisma migrate resolve --rolled-back` on 0003 (rolled_back_at set): neither is in the schema.
  await withClient(db.url, (client) => client.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, rolled_back_at, applied_steps_count) VALUES
       ('00000000-0000-0000-0000-000000000002', $1, '0002_m1', now(), NULL, NULL, 0),
       ('00000000-0000-0000-0000-000000000003', $2, '0003_m2', now(), now(), now(), 0)`,
    [sha256('CREATE TABLE two (id int);'), sha256('CREATE TABLE three (id int);')]))

  t.same(await applyMigrations(db.url, dir), ['0002_m1', '0003_m2'])
  t.ok(await tableExists(db.url, 'two'), 'the failed one applied')
  t.ok(await tableExists(db.url, 'three'), 'the rolled-back one applied')
  t.same(await applyMigrations(db.url, dir), [], 'and then recorded as applied')
})
