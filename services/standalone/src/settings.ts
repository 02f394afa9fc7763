import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '@beacon/api'
import { EnvReader } from '@beacon/config'

type Env = Record<string, string | undefined>

/** The repository checkout this file belongs to (src/ and dist/ are at the same depth). */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export const DEFAULT_EMBEDDED_PG_PORT = 54329
/** Below Docker's 10 s and systemd's 90 s; the dispatcher reads the same variable. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 8000

/** What only the embedded default reads; everything else is the api's configuration. */
export interface StandaloneSettings {
  /** Where standalone.json, the embedded database and its log are kept. */
  dataDir: string
  /** Set (DATABASE_URL or DATABASE_URL_FILE): the service uses this database and no embedded PostgreSQL is started. */
  databaseUrl: string | null
  embeddedPgPort: number
  /** SHUTDOWN_TIMEOUT_MS: from the signal to the exit, the api, dispatcher and PostgreSQL all stopped. */
  shutdownTimeoutMs: number
}

export function readSettings (env: Env): StandaloneSettings {
  const problems: string[] = []
  const dataDir = env.BEACON_DATA_DIR?.trim() || join(repositoryRoot, '.beacon', 'data')
  const portText = env.EMBEDDED_PG_PORT?.trim() ?? ''
  let embeddedPgPort = DEFAULT_EMBEDDED_PG_PORT
  if (portText !== '') {
    embeddedPgPort = Number(portText)
    if (!Number.isInteger(embeddedPgPort) || embeddedPgPort < 1 || embeddedPgPort > 65535) {
      problems.push(`EMBEDDED_PG_PORT must be an integer from 1 to 65535, got "${portText}"`)
    }
  }
  const timeoutText = env.SHUTDOWN_TIMEOUT_MS?.trim() ?? ''
  let shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS
  if (timeoutText !== '') {
    shutdownTimeoutMs = Number(timeoutText)
    // The dispatcher's range: one variable, one rule.
    if (!/^\d+$/.test(timeoutText) || shutdownTimeoutMs < 100 || shutdownTimeoutMs > 600_000) {
      problems.push(`SHUTDOWN_TIMEOUT_MS must be an integer from 100 to 600000, got "${timeoutText}"`)
    }
  }
  const read = new EnvReader(env)
  const databaseUrl = read.secret('DATABASE_URL') || null
  problems.push(...read.problems)
  if (problems.length > 0) throw new ConfigError(problems)
  return {
    // Relative to where the command was typed: pnpm runs the start script in this package's folder.
    dataDir: resolve(env.INIT_CWD ?? process.cwd(), dataDir),
    databaseUrl,
    embeddedPgPort,
    shutdownTimeoutMs
  }
}
