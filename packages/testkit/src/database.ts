import { createHash, randomBytes } from 'node:crypto'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyMigrations, defaultMigrationsDir, readMigrations } from '@beacon/db'
import pg from 'pg'

/** The server the tests use; its `postgres` database is only used to create and drop others. */
export const adminDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres'

/**
 * Names a test run: scripts/test.mjs sets BEACON_TEST_RUN for the whole run (and drops its
 * databases at the end); a test file started on its own gets a run of its own.
 */
export const testRunId = process.env.BEACON_TEST_RUN ?? `p${process.pid}${Date.now().toString(36)}`

export function databaseUrl (name: string): string {
  const url = new URL(adminDatabaseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

// A new connection costs PostgreSQL ~20 ms of CPU on these machines (its fork's page faults under
// the hypervisor), and each test database took two: one to create it, one to drop it. A test file
// building seven apps opened 28 connections, 14 of them these. A process keeps a few instead;
// idle ones do not hold it open (allowExitOnIdle), and one the server closes is replaced.
let adminPool: pg.Pool | undefined

/**
 * Runs `fn` with a client of the admin database (not in the package's barrel). The client is
 * shared with later calls: `fn` leaves no session state behind (a setting, a lock it holds).
 */
export async function withAdmin<T> (fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  if (adminPool === undefined) {
    adminPool = new pg.Pool({ connectionString: adminDatabaseUrl, max: 3, idleTimeoutMillis: 5000, allowExitOnIdle: true })
    // An idle client the server ended (a restart): the pool drops it; nothing waits on it.
    adminPool.on('error', () => {})
  }
  const client = await adminPool.connect()
  try {
    const result = await fn(client)
    client.release()
    return result
  } catch (error) {
    // Rare (a failed drop, a lost connection): the client goes rather than a session in doubt.
    client.release(true)
    throw error
  }
}

let templateReady: Promise<{ name: string, copy: string }> | undefined

// PostgreSQL 15 copies a template through the WAL by default (STRATEGY WAL_LOG): every page of its
// ~8.5 MB, the system catalogs mostly, written to the WAL for a database that lives seconds. The
// file copy (the strategy of earlier servers; it checkpoints before and after) cost PostgreSQL
// 190-220 ms of CPU per database created and dropped, against 300-450 through the WAL (10 of each,
// three runs each, on this machine); a quarter of the api's test files (28, four at a time) cost
// it 34-39 CPU-s against 44-55, and took no longer for the checkpoints (96-102 s against 102).
// Older servers know no STRATEGY.
async function copyClause (client: pg.PoolClient): Promise<string> {
  const { rows } = await client.query<{ server_version_num: string }>('SHOW server_version_num')
  return Number(rows[0]!.server_version_num) >= 150000 ? ' STRATEGY FILE_COPY' : ''
}

// One migrated template per run and migration set; every test database is a cheap copy of it.
async function template (): Promise<{ name: string, copy: string }> {
  const migrations = await readMigrations()
  const digest = createHash('sha256').update(migrations.map((m) => m.checksum).join()).digest('hex').slice(0, 10)
  const name = `beacon_tpl_${testRunId}_${digest}`.toLowerCase()
  const copy = await withAdmin(async (client) => {
    const lock = Number.parseInt(digest.slice(0, 7), 16)
    await client.query('SELECT pg_advisory_lock($1)', [lock])
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
      if (rowCount === 0) {
        await client.query(`CREATE DATABASE "${name}"`)
        try {
          await applyMigrations(databaseUrl(name))
        } catch (error) {
          await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
          throw error
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [lock])
    }
    return copyClause(client)
  })
  return { name, copy }
}

export interface TestDatabase {
  name: string
  url: string
  drop (): Promise<void>
}

/** A fresh, migrated database of its own for one test; `drop()` removes it. */
export async function createTestDatabase (): Promise<TestDatabase> {
  templateReady ??= template()
  const { name: source, copy } = await templateReady
  const name = `beacon_t_${testRunId}_${randomBytes(4).toString('hex')}`.toLowerCase()
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"${copy}`))
  return {
    name,
    url: databaseUrl(name),
    drop: () => withAdmin(async (client) => { await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) })
  }
}

export interface OutdatedTestDatabase extends TestDatabase {
  /** Applies the migrations left out, as `npm run db:migrate` does at an upgrade; returns their names. */
  migrate (): Promise<string[]>
}

/**
 * A database as an older Beacon left it: migrated up to, not including, the migration
 * `firstMissing` (the rows a test writes then are what the upgrade finds). `drop()` removes it.
 */
export async function createOutdatedTestDatabase (firstMissing: string): Promise<OutdatedTestDatabase> {
  const names = (await readMigrations()).map((m) => m.name)
  if (!names.includes(firstMissing)) throw new Error(`no migration named ${firstMissing}`)
  const name = `beacon_t_${testRunId}_${randomBytes(4).toString('hex')}`.toLowerCase()
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`))
  const url = databaseUrl(name)
  const drop = () => withAdmin(async (client) => { await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) })
  // The runner applies a folder: one holding copies of the earlier migrations only (it skips links).
  const earlier = await mkdtemp(join(tmpdir(), 'beacon-migrations-'))
  try {
    for (const migration of names.filter((n) => n < firstMissing)) await cp(join(defaultMigrationsDir, migration), join(earlier, migration), { recursive: true })
    await applyMigrations(url, earlier)
  } catch (error) {
    await drop()
    throw error
  } finally {
    await rm(earlier, { recursive: true, force: true })
  }
  return { name, url, drop, migrate: () => applyMigrations(url) }
}

/** Drops every database a run created (templates included); scripts/test.mjs calls it at the end. */
export async function dropRunDatabases (runId = testRunId): Promise<number> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'beacon\\_t\\_' || $1 || '\\_%' OR datname LIKE 'beacon\\_tpl\\_' || $1 || '\\_%'",
      [runId.toLowerCase()]
    )
    await dropEach(rows.map((row) => row.datname), (datname) => client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`), 'database')
    return rows.length
  })
}

/**
 * Drops every one of `names`, going on past one that fails (its error is kept), then throws an
 * AggregateError naming what is left: a cleanup that stops at the first leaves the rest behind.
 */
export async function dropEach (names: string[], drop: (name: string) => Promise<unknown>, kind: string): Promise<void> {
  const failures: Error[] = []
  for (const name of names) {
    try {
      await drop(name)
    } catch (cause) {
      failures.push(new Error(`${kind} ${name} was not dropped: ${(cause as Error).message}`, { cause }))
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} ${kind}(s) left: ${failures.map((f) => f.message).join('; ')}`)
}
