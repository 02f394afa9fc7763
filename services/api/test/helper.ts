import { randomBytes } from 'node:crypto'
import { createDb, type Db } from '@beacon/db'
import { createTestDatabase, natsTestPrefix, testNatsUrl } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { loadConfig, type ApiConfig } from '../src/config.js'
import { createServer, loggerOptions } from '../src/create-server.js'

export const credentials = { username: 'admin', password: 'test-password-1234' }
export const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`

/**
 * The allowances of an api whose callbacks go to the tests' receivers, which listen on
 * http://127.0.0.1: without them both the plain http and the loopback address are refused.
 */
export const localCallbackEnv = { CALLBACK_ALLOW_HTTP: 'true', CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true' } as const

export interface TestApp {
  app: FastifyInstance
  config: ApiConfig
  databaseUrl: string
  /** Every log line so far (all levels), when built with `captureLogs`. */
  logs (): string
}

export interface BuildOptions {
  /** Log at trace level into memory, through the production logger settings (redaction included). */
  captureLogs?: boolean
  /** Runs on the new database before the api starts (rows that must be there when it starts). */
  beforeStart?: (databaseUrl: string) => Promise<void>
  /** The api's DATABASE_URL, made from the new database's (e.g. with `?schema=`). */
  databaseUrl?: (databaseUrl: string) => string
}

/**
 * The api on a fresh database of its own, built exactly as server.ts builds it. `env` overrides
 * the test defaults (e.g. POWERAUTH_SERVICE_URL). Closed and dropped when the test ends.
 */
export async function buildApp (t: Test, env: Record<string, string> = {}, options: BuildOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase()
  await options.beforeStart?.(database.url)
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl?.(database.url) ?? database.url,
    DATABASE_POOL_SIZE: '4',
    MASTER_KEY: randomBytes(32).toString('base64'),
    AUTH_USERNAME: credentials.username,
    AUTH_PASSWORD: credentials.password,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NATS_URL: testNatsUrl,
    // Streams of their own; the end-of-run cleanup deletes them.
    NATS_PREFIX: natsTestPrefix(),
    // No load shedding unless a test asks for it: the test's own code (key generation, big
    // bodies) runs on the api's event loop, and a loaded CI machine lags it past any threshold.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env
  })
  let logs = ''
  const logger = options.captureLogs === true
    ? { ...loggerOptions(config) as object, level: 'trace', stream: { write: (line: string) => { logs += line } } }
    : undefined
  const app = await createServer(config, logger === undefined ? {} : { logger })
  t.teardown(async () => {
    await app.close()
    await database.drop()
  })
  await app.ready()
  return { app, config, databaseUrl: database.url, logs: () => logs }
}

/** `app.inject` with credentials and a JSON body. */
export function call (app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown) {
  return app.inject({
    method,
    url,
    headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) })
  })
}

/**
 * A migrated database of its own and a client on it, with no api: for statements tested alone,
 * whose rows stay as they leave them. Closed and dropped when the test ends.
 */
export async function statementsDatabase (t: Test, poolSize = 2): Promise<Db> {
  const created = await createTestDatabase()
  const db = createDb({ url: created.url, poolSize })
  t.teardown(async () => {
    await db.$disconnect()
    await created.drop()
  })
  return db
}
