import { createHash, randomUUID } from 'node:crypto'
import { readFile, readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { checkSchemaInUse, connectionOf, useSchema } from './connection.js'
import { DbError, DbErrorCode } from './errors.js'

/** The repository's prisma/migrations folder. */
export const defaultMigrationsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'prisma', 'migrations')

// The same lock id `prisma migrate deploy` takes, so our runner and Prisma's never interleave.
const ADVISORY_LOCK = 72707369

// The bookkeeping table exactly as Prisma creates it, so that `prisma migrate deploy|status` on a
// machine with the native engine sees these migrations as applied.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`

export interface Migration { name: string, sql: string, checksum: string }

function sha256 (text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

// Prisma accepts an applied migration whose file only changed line endings (git's autocrlf on a
// Windows checkout) by also trying the CRLF->LF and LF->CRLF variants; the same rule here keeps
// both runners agreeing on what "modified" means.
function matchesChecksum (sql: string, checksum: string): boolean {
  return [sql, sql.replaceAll('\r\n', '\n'), sql.replaceAll('\n', '\r\n')].some((variant) => sha256(variant) === checksum)
}

export async function readMigrations (dir = defaultMigrationsDir): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort()
  return Promise.all(names.map(async (name) => {
    const sql = await readFile(join(dir, name, 'migration.sql'), 'utf8')
    return { name, sql, checksum: sha256(sql) }
  }))
}

/** Who holds the migrations' lock while a run waits for it. */
export interface MigrationLockHolder {
  pid: number
  /** The holder's application_name, client address and when it connected, as pg_stat_activity has them. */
  application: string | null
  clientAddress: string | null
  since: Date | null
}

export interface MigrationOptions {
  /**
   * Told once when another run (or `prisma migrate deploy`) holds the lock: the run waits for it,
   * however long, and whoever started it should hear why nothing happens (a runner whose host
   * vanished keeps its lock until PostgreSQL notices the dead connection).
   */
  onLockWait?: (holder: MigrationLockHolder | null) => void
}

/**
 * Applies pending migrations in order, each in its own transaction, and returns the names applied.
 * Refuses to continue when an applied migration's file was changed afterwards.
 */
export async function applyMigrations (url: string, dir = defaultMigrationsDir, options: MigrationOptions = {}): Promise<string[]> {
  const migrations = await readMigrations(dir)
  const { schema, named } = connectionOf(url)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    if (named) await useSchema(client, schema)
    await takeMigrationLock(client, options)
    if (named) await prepareNamedSchema(client, schema, migrations[0]?.name)
    await checkSchemaInUse(client, schema)
    await client.query(CREATE_TABLE)
    const { rows } = await client.query<{ migration_name: string, checksum: string }>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL'
    )
    const applied = new Map(rows.map((r) => [r.migration_name, r.checksum]))
    const done: string[] = []
    for (const migration of migrations) {
      const checksum = applied.get(migration.name)
      if (checksum !== undefined) {
        if (!matchesChecksum(migration.sql, checksum)) {
          throw new DbError(DbErrorCode.MIGRATION_MODIFIED, `migration ${migration.name} was modified after it was applied`)
        }
        continue
      }
      await applyRetryingDeadlocks(client, migration)
      done.push(migration.name)
    }
    return done
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK]).catch(() => {})
    await client.end()
  }
}

/** One line for an operator: what the run waits for. */
export function describeLockHolder (holder: MigrationLockHolder | null): string {
  if (holder === null) return 'waiting for another migration run to finish (it holds the migrations\' lock)'
  const who = [holder.application === null || holder.application === '' ? null : `"${holder.application}"`, holder.clientAddress === null ? null : `from ${holder.clientAddress}`,
    holder.since === null ? null : `connected since ${holder.since.toISOString()}`].filter((part) => part !== null).join(', ')
  return `waiting for another migration run to finish: PostgreSQL backend ${holder.pid}${who === '' ? '' : ` (${who})`} holds the migrations' lock`
}

async function takeMigrationLock (client: pg.Client, options: MigrationOptions): Promise<void> {
  const { rows: [taken] } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [ADVISORY_LOCK])
  if (taken?.ok === true) return
  const { rows: [holder] } = await client.query<{ pid: number, application: string | null, client_address: string | null, since: Date | null }>(
    `SELECT l.pid, a.application_name AS application, a.client_addr::text AS client_address, a.backend_start AS since
       FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::bigint << 32) | l.objid::bigint) = $1 AND l.objsubid = 1
      LIMIT 1`, [ADVISORY_LOCK])
  options.onLockWait?.(holder === undefined ? null : { pid: holder.pid, application: holder.application, clientAddress: holder.client_address, since: holder.since })
  await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK])
}

// A migration that locks several tables can deadlock with Beacon's own transactions when it runs
// beside them (a rolling upgrade): none takes the tables in the same order as every transaction
// does (a removal locks campaign, then campaign_delivery; the outbox sweeper the other way).
// PostgreSQL ends the deadlock by rolling one side back whole; when that is the migration, it is
// run again. A lock wait that times out (lock_timeout) is not retried: the transaction holding
// the lock may run for long, and the operator should hear of it.
const DEADLOCK_DETECTED = '40P01'
const DEADLOCK_ATTEMPTS = 3

async function applyRetryingDeadlocks (client: pg.Client, migration: Migration): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyOne(client, migration)
    } catch (error) {
      const code = ((error as DbError).cause as { code?: unknown } | undefined)?.code
      if (code !== DEADLOCK_DETECTED || attempt === DEADLOCK_ATTEMPTS) throw error
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt))
    }
  }
}

async function applyOne (client: pg.Client, migration: Migration): Promise<void> {
  try {
    await client.query('BEGIN')
    await client.query(migration.sql)
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), migration.checksum, migration.name]
    )
    await client.query('COMMIT')
  } catch (cause) {
    await client.query('ROLLBACK').catch(() => {})
    throw new DbError(DbErrorCode.MIGRATION_FAILED, `migration ${migration.name} failed: ${(cause as Error).message}`, { cause })
  }
}

/** Whether `schema` holds Beacon's migration history (its first migration recorded). */
async function holdsBeacon (client: pg.Client, schema: string, firstMigration: string): Promise<boolean> {
  const { rows: [table] } = await client.query<{ found: boolean }>(
    "SELECT pg_catalog.to_regclass(pg_catalog.format('%I._prisma_migrations', $1::pg_catalog.text)) IS NOT NULL AS found", [schema])
  if (table?.found !== true) return false
  return ((await client.query(`SELECT 1 FROM "${schema}"."_prisma_migrations" WHERE migration_name = $1`, [firstMigration])).rowCount ?? 0) > 0
}

/**
 * The schema DATABASE_URL names, made ready. Refused while it holds no Beacon migrations and
 * public does: releases before this one ignored `?schema=` and kept the tables in public, so a
 * URL that carried it would otherwise start an empty Beacon beside them on upgrade. (Other
 * schemas are left alone: two Beacons, each in its own schema, share a database.) Then created
 * if missing, as Prisma's migrate does; looked up first, since CREATE SCHEMA IF NOT EXISTS asks
 * for CREATE on the database even when the schema is there.
 */
async function prepareNamedSchema (client: pg.Client, schema: string, firstMigration: string | undefined): Promise<void> {
  if (firstMigration !== undefined && schema !== 'public' && await holdsBeacon(client, 'public', firstMigration) && !await holdsBeacon(client, schema, firstMigration)) {
    throw new DbError(DbErrorCode.SCHEMA_MISMATCH, `DATABASE_URL names schema "${schema}", which holds no Beacon migrations, while public does: ` +
      'releases before this one ignored ?schema= and kept Beacon\'s tables in public. Leave the parameter out (or ?schema=public) to go on with them')
  }
  if ((await client.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) $1', [schema])).rowCount === 0) {
    await client.query(`CREATE SCHEMA "${schema}"`)
  }
}
