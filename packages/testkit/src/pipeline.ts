import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDb, type Db } from '@beacon/db'
import { startApnsMock, type ApnsMock } from './apns/mock.js'
import { createTestDatabase } from './database.js'
import { startFcmMock, type FcmMock } from './fcm/mock.js'
import { natsTestPrefix, testNatsUrl } from './nats.js'
import { freePort } from './private-servers/free-port.js'
import { spawnService, type ServiceProcess } from './processes.js'

export const BUNDLE = 'com.beacon.e2e'
const password = 'e2e-password-123456'
/** The Basic authorization of the pipeline's api, for clients other than `call` (load generators). */
export const pipelineAuthorization = `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`

export interface Pipeline {
  apns: ApnsMock
  fcm: FcmMock
  /** Direct database access, for assertions. */
  db: Db
  /** The NATS server and the prefix of the pipeline's streams, for assertions on its queues. */
  natsStreams: { url: string, prefix: string }
  /** The first api. */
  api: ServiceProcess
  /** Every api started (`apis` at the start, then `startApi`), with its HTTP address. */
  apis: ApiProcess[]
  /** Starts one more api instance (e.g. a restart after a kill) over the same database and NATS. */
  startApi (env?: Record<string, string>): Promise<ApiProcess>
  dispatchers: DispatcherProcess[]
  startDispatcher (env?: Record<string, string>): Promise<DispatcherProcess>
  /** The first api's HTTP address. */
  url: string
  /** Calls the first api still running (or the one given by its index in `apis`). */
  call (method: string, path: string, body?: unknown, apiIndex?: number): Promise<{ status: number, body: any }>
  /**
   * Creates application `appId` with APNs and FCM credentials the mocks accept: a number as the
   * PowerAuth 1.0 client does it (credentials by Beacon's `id`), text as 1.3 and later (by `appId`).
   */
  configureApplication (appId: number | string): Promise<void>
  until (condition: () => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<void>
  /** Waits until the APNs mock's log stops growing for 150 ms: every send written so far has arrived. */
  apnsSettled (): Promise<void>
  registerDevice (appId: number | string, device: { token: string, platform: 'ios' | 'android', userId: string, activationId?: string, activationStatus?: string, environment?: string }): Promise<void>
  /** Kills the processes, stops the mocks and drops the database. */
  close (): Promise<void>
}

export interface ApiProcess extends ServiceProcess {
  url: string
}

export interface DispatcherProcess extends ServiceProcess {
  /** Its ops listener (METRICS_PORT on 127.0.0.1): /metrics, /healthz, /readyz. */
  opsUrl: string
}

export interface PipelineOptions {
  dispatchers?: number
  /** api instances started at once (default 1); they share the database and NATS. */
  apis?: number
  /** A database to use instead of a fresh one on the test server (already migrated; not dropped). */
  databaseUrl?: string
  /** NATS server(s) instead of the test server (e.g. a private one a fault test stops). */
  natsUrl?: string
  apiEnv?: Record<string, string>
  dispatcherEnv?: Record<string, string>
  /** Keep the mocks' per-request logs (default true; benchmarks turn them off). */
  record?: boolean
  /** How long the provider mocks wait before each answer (a real provider's round trip; default 0). */
  providerAnswerDelayMs?: number
  /** Run the services from their build (`npm run build` first), as production does. */
  fromBuild?: boolean
  /** FCM token endpoints to allow besides the mock's own (FCM_TOKEN_URIS of the api and the dispatchers). */
  extraFcmTokenUris?: string[]
  /** Extra node options of the api and of the dispatchers (e.g. `--cpu-prof` for a profile). */
  apiNodeArgs?: string[]
  dispatcherNodeArgs?: string[]
}

/** An iOS device token as APNs issues them: 32 bytes of hex. */
export const iosToken = () => randomBytes(32).toString('hex')
/** An FCM registration token's shape: URL-safe base64 with a ':' separator. */
export const androidToken = () => `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(60).toString('base64url')}`

/**
 * The whole pipeline as separate processes: the api and N dispatchers (from sources), over a fresh
 * PostgreSQL database and NATS streams of their own, with the APNs and FCM mocks in this process.
 * For end-to-end tests and benchmarks.
 */
export async function startPipeline (options: PipelineOptions = {}): Promise<Pipeline> {
  const database = options.databaseUrl === undefined ? await createTestDatabase() : { url: options.databaseUrl, drop: async () => {} }
  const record = options.record ?? true
  const answerDelayMs = options.providerAnswerDelayMs ?? 0
  const apns = await startApnsMock({ record, answerDelayMs })
  const fcm = await startFcmMock({ record, answerDelayMs })
  const folder = await mkdtemp(join(tmpdir(), 'beacon-e2e-'))
  const caFile = join(folder, 'apns-ca.pem')
  await writeFile(caFile, apns.ca)
  const fcmCaFile = join(folder, 'fcm-ca.pem')
  await writeFile(fcmCaFile, fcm.ca)
  // FCM over HTTP/2 and TLS, as Google serves it, the mock's certificate trusted as FCM_CA_FILE.
  const fcmEndpoint: Record<string, string> = { FCM_ENDPOINT: fcm.endpoint, FCM_CA_FILE: fcmCaFile }
  const db = createDb({ url: database.url, poolSize: 2 })
  const common = {
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '4',
    MASTER_KEY: randomBytes(32).toString('base64'),
    NATS_URL: options.natsUrl ?? testNatsUrl,
    NATS_PREFIX: natsTestPrefix(),
    LOG_LEVEL: 'info'
  }
  const processes: ServiceProcess[] = []
  const close = async () => {
    // A profiled process writes its profile on a graceful exit only.
    const profiled = (options.apiNodeArgs ?? []).length + (options.dispatcherNodeArgs ?? []).length > 0
    await Promise.all(processes.map((p) => p.stop(profiled ? 'SIGTERM' : 'SIGKILL')))
    await Promise.all([apns.close(), fcm.close(), db.$disconnect()])
    await database.drop()
    await rm(folder, { recursive: true, force: true })
  }

  // The tests' callback receivers listen on http://127.0.0.1 and the FCM mock is its own token
  // endpoint there: allowed here, refused by a default installation (a test may set them back).
  const outbound = { FCM_TOKEN_URIS: [fcm.tokenUri, ...options.extraFcmTokenUris ?? []].join(',') }
  const apis: ApiProcess[] = []
  const startApi = async (env: Record<string, string> = {}) => {
    const port = await freePort()
    const api = spawnService('services/api/src/server.ts', {
      ...common,
      ...outbound,
      HOST: '127.0.0.1',
      PORT: String(port),
      AUTH_USERNAME: 'admin',
      AUTH_PASSWORD: password,
      CALLBACK_ALLOW_HTTP: 'true',
      CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true',
      // No load shedding unless a test asks for it: tests and the bench run many processes on two
      // cores, and an api starved of CPU sees its event loop lag as if it were overloaded.
      MAX_EVENT_LOOP_DELAY_MS: '0',
      ...options.apiEnv,
      ...env
    }, { fromBuild: options.fromBuild ?? false, nodeArgs: options.apiNodeArgs ?? [] })
    processes.push(api)
    const started = { ...api, url: `http://127.0.0.1:${port}` }
    apis.push(started)
    await api.waitForOutput(/Server listening/)
    return started
  }
  const dispatchers: DispatcherProcess[] = []
  const startDispatcher = async (env: Record<string, string> = {}) => {
    const opsPort = await freePort()
    const dispatcher = spawnService('services/dispatcher/src/server.ts', {
      METRICS_PORT: String(opsPort),
      METRICS_HOST: '127.0.0.1',
      ...common,
      APNS_ENDPOINT: `https://localhost:${apns.port}`,
      APNS_CA_FILE: caFile,
      ...fcmEndpoint,
      ...outbound,
      FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: 'true',
      RETRY_BASE_DELAY_MS: '100',
      RETRY_MAX_DELAY_MS: '2000',
      ...options.dispatcherEnv,
      ...env
    }, { fromBuild: options.fromBuild ?? false, nodeArgs: options.dispatcherNodeArgs ?? [] })
    processes.push(dispatcher)
    const started = { ...dispatcher, opsUrl: `http://127.0.0.1:${env.METRICS_PORT ?? options.dispatcherEnv?.METRICS_PORT ?? opsPort}` }
    dispatchers.push(started)
    await dispatcher.waitForOutput(/dispatcher started/)
    return started
  }
  try {
    for (let i = 0; i < (options.apis ?? 1); i++) await startApi()
    for (let i = 0; i < (options.dispatchers ?? 1); i++) await startDispatcher()
  } catch (error) {
    await close()
    throw error
  }

  const authorization = pipelineAuthorization
  const running = (api: ApiProcess) => api.child.exitCode === null && api.child.signalCode === null
  const call: Pipeline['call'] = async (method, path, body, apiIndex) => {
    const api = apiIndex === undefined ? apis.find(running) ?? apis[0]! : apis[apiIndex]!
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return { status: response.status, body: await response.json() }
  }
  const expectOk = async (method: string, path: string, body: unknown) => {
    const response = await call(method, path, body)
    if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`)
    return response.body
  }

  return {
    url: apis[0]!.url,
    close,
    apns,
    fcm,
    db,
    natsStreams: { url: common.NATS_URL, prefix: common.NATS_PREFIX },
    api: apis[0]!,
    apis,
    startApi,
    dispatchers,
    startDispatcher,
    call,
    async configureApplication (appId) {
      const { responseObject: { id } } = await expectOk('POST', '/admin/app/create', { requestObject: { appId } })
      const ref = typeof appId === 'number' ? { id } : { appId }
      const key = apns.createKey({ bundles: [BUNDLE] })
      await expectOk('PUT', '/admin/app/ios/update', {
        requestObject: { ...ref, bundle: BUNDLE, keyId: key.keyId, teamId: key.teamId, environment: 'production', privateKeyBase64: Buffer.from(key.privateKeyPem).toString('base64') }
      })
      const account = fcm.createServiceAccount({ projectId: 'beacon-e2e' })
      await expectOk('PUT', '/admin/app/android/update', {
        requestObject: { ...ref, projectId: 'beacon-e2e', privateKeyBase64: Buffer.from(JSON.stringify(account)).toString('base64') }
      })
    },
    until,
    async apnsSettled () {
      let seen = -1
      await until(async () => {
        const now = apns.log.length
        const stable = now === seen
        seen = now
        await new Promise((resolve) => setTimeout(resolve, 150))
        return stable
      }, 'in-flight sends to settle')
    },
    async registerDevice (appId, device) {
      await expectOk('POST', '/push/device/create', {
        requestObject: { appId, activationId: device.activationId ?? `act-${device.token.slice(0, 12)}`, ...device }
      })
    }
  }
}

export async function until (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
