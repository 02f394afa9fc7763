import type { AddressInfo } from 'node:net'
import { createServer, loadConfig, reloadTlsCertificate, type ApiConfig, type ServerOptions } from '@beacon/api'
import { applyMigrations, defaultMigrationsDir, describeLockHolder } from '@beacon/db'
import { createDispatcher, loadConfig as loadDispatcherConfig } from '@beacon/dispatcher'
import { createMemoryTransport } from '@beacon/transport'
import { pino } from 'pino'
import { embeddedDatabaseUrl, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js'
import { readSettings, type StandaloneSettings } from './settings.js'
import { loadOrCreateState } from './state.js'

type Env = Record<string, string | undefined>

export interface Standalone {
  url: string
  config: ApiConfig
  settings: StandaloneSettings
  stateFile: string
  /** The admin credentials, and whether they come from standalone.json (false: from the environment). */
  admin: { username: string, password: string, fromStateFile: boolean } | null
  /** null when DATABASE_URL named a database of the operator's. */
  embedded: EmbeddedPostgres | null
  migrationsApplied: string[]
  /** Re-reads TLS_CERT_FILE and TLS_KEY_FILE (main.ts: on SIGHUP); false, logged, when they are unusable. */
  reloadCertificate (): boolean
  /**
   * Stops the dispatcher (within SHUTDOWN_TIMEOUT_MS less what the rest needs), the api, then the
   * embedded database.
   */
  close (): Promise<void>
}

export interface StandaloneOptions {
  /** The transport between api and dispatcher; in-process (no NATS) unless one is given. */
  transport?: ServerOptions['transport']
}

/** A startup failure with a message meant for the operator as it is. */
export class StartupError extends Error {
  override name = 'StartupError'
}

function listenFailure (error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE') return new StartupError(`port ${port} on ${host} is already in use: stop what uses it or set PORT`, { cause: error })
  if (code === 'EACCES') return new StartupError(`no permission to listen on ${host}:${port}: choose a PORT above 1023`, { cause: error })
  if (code === 'EADDRNOTAVAIL') return new StartupError(`HOST ${host} is not an address of this machine`, { cause: error })
  return error as Error
}

/**
 * What the dispatcher may take of SHUTDOWN_TIMEOUT_MS to finish or give back its commands: the
 * rest (a quarter, at most 2 s) is for the api and PostgreSQL, which stop after it.
 */
export function dispatcherStopBudgetMs (shutdownTimeoutMs: number): number {
  return shutdownTimeoutMs - Math.min(2000, shutdownTimeoutMs / 4)
}

function displayUrl (config: ApiConfig, address: AddressInfo): string {
  const wildcard = config.host === '0.0.0.0' || config.host === '::'
  const host = wildcard ? '127.0.0.1' : config.host
  return `${config.tls === null ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${address.port}`
}

/**
 * Beacon in one process: settings and generated secrets, the database (embedded unless
 * DATABASE_URL is set), migrations, then the api listening. Whatever was started is stopped again
 * when a later step fails.
 */
export async function startStandalone (env: Env = process.env, options: StandaloneOptions = {}): Promise<Standalone> {
  const settings = readSettings(env)
  const { state, file: stateFile } = await loadOrCreateState(settings.dataDir)
  const given = (name: string) => env[name]?.trim() || undefined
  // A secret given as NAME_FILE is left to the services' configuration to read: setting NAME too
  // would be "both set", refused.
  const unlessInFile = (name: string, value: string | undefined) => given(`${name}_FILE`) === undefined ? value : undefined
  const serviceEnv = {
    ...env,
    // Read by readSettings already (from the file, if one is named).
    DATABASE_URL_FILE: undefined,
    DATABASE_URL: settings.databaseUrl ?? embeddedDatabaseUrl(settings.embeddedPgPort, state.postgresPassword),
    MASTER_KEY: unlessInFile('MASTER_KEY', given('MASTER_KEY') ?? state.masterKey),
    AUTH_USERNAME: given('AUTH_USERNAME') ?? state.adminUsername,
    AUTH_PASSWORD: unlessInFile('AUTH_PASSWORD', given('AUTH_PASSWORD') ?? state.adminPassword),
    // A trial on http://127.0.0.1: a browser there may drop a Secure cookie. Behind a TLS proxy, set it true.
    CONSOLE_COOKIE_SECURE: given('CONSOLE_COOKIE_SECURE') ?? 'false'
  }
  const config = loadConfig(serviceEnv)
  const dispatcherConfig = loadDispatcherConfig({ DATABASE_POOL_SIZE: '4', ...serviceEnv })

  const cleanups: Array<() => Promise<void>> = []
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  }
  try {
    let embedded: EmbeddedPostgres | null = null
    if (settings.databaseUrl === null) {
      const cluster = await startEmbeddedPostgres({ dataDir: settings.dataDir, port: settings.embeddedPgPort, password: state.postgresPassword })
      cleanups.push(() => cluster.stop())
      embedded = cluster
    }
    const migrationsApplied = await applyMigrations(config.databaseUrl, defaultMigrationsDir, { onLockWait: (holder) => { console.error(describeLockHolder(holder)) } })
    // The api and one dispatcher in this process, meeting on the in-process transport.
    const transport = options.transport ?? createMemoryTransport()
    cleanups.push(() => transport.close())
    const app = await createServer(config, { transport })
    cleanups.push(() => app.close())
    const dispatcher = createDispatcher({ config: dispatcherConfig, transport, log: pino({ level: dispatcherConfig.logLevel, name: 'dispatcher' }) })
    dispatcher.start()
    // Typed as taking its time limit: the dispatcher's stop(timeoutMs) (issue 12) gets it as soon as
    // it accepts one; until then the argument is ignored and it stops as before.
    const stopDispatcher: (timeoutMs: number) => Promise<void> = dispatcher.stop.bind(dispatcher)
    cleanups.push(() => stopDispatcher(dispatcherStopBudgetMs(settings.shutdownTimeoutMs)))
    await app.listen({ host: config.host, port: config.port }).catch((error: unknown) => {
      throw listenFailure(error, config.host, config.port)
    })
    return {
      url: displayUrl(config, app.server.address() as AddressInfo),
      config,
      settings,
      stateFile,
      admin: config.auth === null
        ? null
        : { ...config.auth, fromStateFile: given('AUTH_PASSWORD') === undefined && given('AUTH_PASSWORD_FILE') === undefined },
      embedded,
      migrationsApplied,
      reloadCertificate: () => config.tls !== null && reloadTlsCertificate(app, config.tls.files),
      close
    }
  } catch (error) {
    await close().catch(() => {})
    throw error
  }
}
