import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { Command, SendCommand } from '@beacon/contracts'
import { createDb, createSecretBox, type Db } from '@beacon/db'
import { createTestDatabase, freePort, iosToken, androidToken, natsTestPrefix, startApnsMock, startFcmMock, testNatsUrl, type ApnsMock, type FcmMock } from '@beacon/testkit'
import { createNatsTransport, type ResultEvent, type Transport } from '@beacon/transport'
import { pino } from 'pino'
import type { Test } from 'tap'
import { loadConfig } from '../src/config.js'
import { createDispatcher, type Dispatcher } from '../src/dispatcher.js'
import { connectNats } from '../src/nats-connection.js'

export const BUNDLE = 'com.beacon.dispatcher-test'

/**
 * A TCP relay to PostgreSQL that a test can cut (open connections reset, new ones refused) and
 * restore: a database outage seen by one dispatcher, without touching the shared server.
 */
export async function startCuttableProxy (target: { host: string, port: number }) {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  // Outside the ephemeral range (freePort): restore() listens on this port again, after the
  // dispatcher's reconnection attempts and every other outbound connection could have taken it.
  const port = await freePort()
  const listen = () => new Promise<void>((resolve, reject) => {
    server = createServer((client) => {
      const upstream = tcpConnect(target.port, target.host)
      sockets.add(client).add(upstream)
      const forget = () => { sockets.delete(client); sockets.delete(upstream) }
      client.pipe(upstream).pipe(client)
      client.on('error', () => upstream.destroy()).on('close', () => { upstream.destroy(); forget() })
      upstream.on('error', () => client.destroy()).on('close', () => { client.destroy(); forget() })
    })
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server!.off('error', reject)
      resolve()
    })
  })
  await listen()
  return {
    get port () { return port },
    async cut () {
      for (const socket of sockets) socket.resetAndDestroy()
      await new Promise<void>((resolve) => server!.close(() => resolve()))
    },
    restore: listen,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => (server?.listening === true ? server.close(() => resolve()) : resolve()))
    }
  }
}

export interface Harness {
  db: Db
  apns: ApnsMock
  fcm: FcmMock
  prefix: string
  databaseUrl: string
  /** Beacon's id of the configured application (PowerAuth app id 7). */
  applicationId: number
  /** Result events published by the dispatchers, in order. */
  events: ResultEvent[]
  /** The publishing side (an api's role). */
  transport: Transport
  /** Log lines of every dispatcher started here. */
  logs: Array<Record<string, unknown>>
  /** A dispatcher in this process; `natsUrl` to reach NATS another way (a cuttable relay). */
  startDispatcher (env?: Record<string, string>, options?: { natsUrl?: string, prefix?: string }): Promise<Dispatcher>
  addDevices (userId: string, count: number, platform: 'APNS' | 'FCM'): Promise<string[]>
  storeMessage (userId: string): Promise<SendCommand>
  until (condition: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>
  masterKey: Buffer
  /** The environment a dispatcher of this harness runs with (for a dispatcher process). */
  dispatcherEnv (env?: Record<string, string>): Record<string, string>
  /** Runs `cleanup` when the test ends, after the dispatchers stopped (a relay they use). */
  afterwards (cleanup: () => Promise<void>): void
}

export async function until (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * A database, NATS streams and provider mocks of the test's own, an application configured for
 * both mocks, and dispatchers started in this process on demand (each with its own NATS
 * connection); the results they publish are collected as a recorder would receive them.
 */
export async function startHarness (t: Test): Promise<Harness> {
  const database = await createTestDatabase()
  const db = createDb({ url: database.url, poolSize: 2 })
  const apns = await startApnsMock()
  const fcm = await startFcmMock()
  const folder = await mkdtemp(join(tmpdir(), 'beacon-dispatcher-'))
  const caFile = join(folder, 'apns-ca.pem')
  await writeFile(caFile, apns.ca)
  const fcmCaFile = join(folder, 'fcm-ca.pem')
  await writeFile(fcmCaFile, fcm.ca)
  const prefix = natsTestPrefix()
  const masterKey = randomBytes(32)
  const box = createSecretBox(masterKey)
  const transport = await createNatsTransport({ servers: testNatsUrl, prefix, name: 'test-api' })
  const events: ResultEvent[] = []
  const results = transport.consumeResults(async (batch) => { events.push(...batch) }, { maxBatch: 100 })
  const stops: Array<() => Promise<void>> = []
  const logs: Array<Record<string, unknown>> = []
  const cleanups: Array<() => Promise<void>> = []

  const key = apns.createKey({ bundles: [BUNDLE] })
  const account = fcm.createServiceAccount({ projectId: 'dispatcher-test' })
  const { id: applicationId } = await db.application.create({ data: { appId: '7', name: 'seven', apnsBundle: BUNDLE, apnsKeyId: key.keyId, apnsTeamId: key.teamId, apnsEnvironment: 'PRODUCTION', fcmProjectId: 'dispatcher-test' } })
  await db.application.update({
    where: { id: applicationId },
    data: {
      apnsPrivateKey: new Uint8Array(box.seal({ column: 'application.apns_private_key', rowId: applicationId }, key.privateKeyPem)),
      fcmServiceAccount: new Uint8Array(box.seal({ column: 'application.fcm_service_account', rowId: applicationId }, JSON.stringify(account))),
      credentialsVersion: 1
    }
  })

  t.teardown(async () => {
    for (const stop of stops.reverse()) await stop()
    for (const cleanup of cleanups) await cleanup()
    await results.stop()
    await transport.close()
    // The streams (under the run's prefix) go with the end-of-run cleanup.
    await Promise.all([apns.close(), fcm.close(), db.$disconnect()])
    await database.drop()
    await rm(folder, { recursive: true, force: true })
  })

  const dispatcherEnv = (env: Record<string, string> = {}): Record<string, string> => ({
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    MASTER_KEY: masterKey.toString('base64'),
    NATS_URL: testNatsUrl,
    NATS_PREFIX: prefix,
    APNS_ENDPOINT: `https://localhost:${apns.port}`,
    APNS_CA_FILE: caFile,
    FCM_ENDPOINT: fcm.endpoint,
    FCM_CA_FILE: fcmCaFile,
    FCM_TOKEN_URIS: fcm.tokenUri,
    FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: 'true',
    RETRY_BASE_DELAY_MS: '100',
    RETRY_MAX_DELAY_MS: '500',
    LOG_LEVEL: 'debug',
    ...env
  })
  let devices = 0
  return {
    db,
    apns,
    fcm,
    prefix,
    databaseUrl: database.url,
    applicationId,
    events,
    transport,
    logs,
    masterKey,
    until,
    afterwards: (cleanup) => { cleanups.push(cleanup) },
    dispatcherEnv,
    async startDispatcher (env = {}, options = {}) {
      const config = loadConfig({ ...dispatcherEnv(env), NATS_PREFIX: options.prefix ?? prefix, ...(options.natsUrl === undefined ? {} : { NATS_URL: options.natsUrl }) })
      const sink = new Writable({ write (chunk, _encoding, done) { logs.push(JSON.parse(String(chunk)) as Record<string, unknown>); done() } })
      const log = pino({ level: 'debug' }, sink)
      // Connected as server.ts connects, from the settings (NATS_PING_INTERVAL_MS among them).
      const own = await connectNats(config, 'test-dispatcher')
      const dispatcher = createDispatcher({ config, transport: own, log })
      dispatcher.start()
      let stopped = false
      const stop = dispatcher.stop.bind(dispatcher)
      stops.push(async () => { if (!stopped) await stop(2000); await own.close() })
      return Object.assign(dispatcher, { stop: async (ms?: number) => { stopped = true; await stop(ms) } })
    },
    async addDevices (userId, count, platform) {
      const tokens: string[] = []
      for (let i = 0; i < count; i++) {
        const token = platform === 'APNS' ? iosToken() : androidToken()
        tokens.push(token)
        if (platform === 'APNS') apns.registerDevice(token, BUNDLE)
        const device = await db.device.create({ data: { applicationId, pushToken: token, platform } })
        await db.deviceActivation.create({ data: { applicationId, deviceId: device.id, activationId: `act-${++devices}`, userId, activationStatus: 'ACTIVE' } })
      }
      return tokens
    },
    async storeMessage (userId) {
      const command: SendCommand = { kind: 'message', messageId: randomUUID(), applicationId, userId, personal: false, silent: false, priority: 'HIGH', body: { title: 'hello', body: 'world' } }
      await db.message.create({ data: { id: command.messageId, applicationId, userId, personal: false, silent: false, priority: 'HIGH', body: command.body as object } })
      return command
    }
  }
}

/** `url` with its host and port replaced (a relay's). */
export function viaPort (url: string, port: number): string {
  const parsed = new URL(url)
  parsed.hostname = '127.0.0.1'
  parsed.port = String(port)
  return parsed.toString()
}

/** Summaries and device results of one message among the collected events. */
export function resultsOf (events: ResultEvent[], messageId: string) {
  const devices = events.flatMap((e) => (e.kind === 'device' && 'messageId' in e.result && e.result.messageId === messageId ? [e.result] : []))
  const summary = events.find((e) => e.kind === 'summary' && e.summary.messageId === messageId)
  return { devices, summary: summary?.kind === 'summary' ? summary.summary : undefined }
}

export type { Command }
