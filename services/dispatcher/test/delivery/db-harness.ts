import { randomUUID } from 'node:crypto'
import type { CampaignChunkCommand, Command, DeviceResult, SendCommand } from '@beacon/contracts'
import { createDb } from '@beacon/db'
import { createTestDatabase } from '@beacon/testkit'
import { TransportError, TransportErrorCode, type ResultEvent, type Transport } from '@beacon/transport'
import { pino, type Logger } from 'pino'
import type { Test } from 'tap'
import type { RetryPolicy } from '../../src/config.js'
import type { ApplicationCredentials, CredentialStore } from '../../src/credentials.js'
import type { LeaseTiming } from '../../src/delivery/commands/lease.js'
import { createDeadline } from '../../src/delivery/commands/deadline.js'
import { CommandRun } from '../../src/delivery/commands/run.js'
import { handleCommand, type DispatchDeps } from '../../src/delivery/commands/handle-command.js'
import { sendSlotsRegistry, type SendSlots } from '../../src/delivery/sends/send-slots.js'
import { createHealth } from '../../src/health.js'
import { createScriptedProvider } from './scripted-provider.js'

const quiet = pino({ enabled: false })
/** Quick retries unless a test says otherwise (a Retry-After is obeyed up to an hour). */
export const QUICK_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, retryAfterMaxMs: 3_600_000 }

/** A dead holder's lease lapses within 1.5 s (a redelivery waits for it). */
export const QUICK_LEASE: LeaseTiming = { durationMs: 1500, renewEveryMs: 500 }

export interface DeviceSpec { userId: string, platform?: 'APNS' | 'FCM', environment?: 'SANDBOX' | 'PRODUCTION', activationStatus?: 'CREATED' | 'PENDING_COMMIT' | 'ACTIVE' | 'BLOCKED' | 'REMOVED', activationId?: string }

/**
 * A database of the test's own and the dispatcher's handlers run in this process against it, each
 * "holder" (one delivery of a command to one dispatcher) with its own connection pool, senders of
 * a scripted provider, and publishing; the results published are collected in `events`. Device
 * tokens are their labels, so rows and results read by label.
 */
export async function startDbHarness (t: Test) {
  const database = await createTestDatabase()
  const db = createDb({ url: database.url, poolSize: 2 })
  const { id: applicationId } = await db.application.create({ data: { appId: '7', name: 'seven' } })
  const provider = createScriptedProvider()
  const events: ResultEvent[] = []
  const labels = new Map<string, string>()
  const ends: Array<() => Promise<void>> = []
  const credentials: ApplicationCredentials = {
    id: applicationId,
    appId: '7',
    version: 0,
    apns: { bundle: 'com.beacon.scripted', keyId: 'KEY', teamId: 'TEAM', production: true, privateKeyPem: 'unused' },
    fcm: { projectId: 'scripted', serviceAccount: { project_id: 'scripted', client_email: 'unused', private_key: 'unused', token_uri: 'unused' } }
  }
  const store = { load: async () => credentials, atVersion: async () => credentials } as unknown as CredentialStore
  t.teardown(async () => {
    for (const end of ends) await end()
    await db.$disconnect()
    await database.drop()
  })

  /** One delivery of `command` to a dispatcher named `name`. */
  function startHolder (name: string, command: Command, options: { deliveryCount?: number, lastDelivery?: boolean, retry?: RetryPolicy, streams?: number, lease?: LeaseTiming, log?: Logger, working?: () => void, chunksSending?: SendSlots, handBackRefused?: boolean, handBackOutages?: number, handedBack?: boolean, publishRefusals?: number, summaryOutages?: number, credentialOutages?: number } = {}) {
    let handBackOutages = options.handBackOutages ?? 0
    // Summaries not published for want of NATS (an outage: the step is held), this many times.
    let summaryOutages = options.summaryOutages ?? 0
    // Device results refused by NATS (not an outage: the command's own failure), this many times.
    let publishRefusals = options.publishRefusals ?? 0
    // Credential look-ups answered as by a database shutting down (57P01, an outage), this many times.
    let credentialOutages = options.credentialOutages ?? 0
    const lookUp = async <T>(read: () => Promise<T>): Promise<T> => {
      if (credentialOutages-- > 0) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
      return read()
    }
    const credentialsOfHolder = {
      load: async (applicationId: number) => lookUp(() => store.load(applicationId)),
      atVersion: async (applicationId: number, version: number | null) => lookUp(() => store.atVersion(applicationId, version))
    } as unknown as CredentialStore
    const own = createDb({ url: database.url, poolSize: 2 })
    const { senders, kill: killSenders } = provider.sendersOf(name)
    const life = { dead: false }
    const publishing = (publish: () => void) => { if (!life.dead) publish() }
    const transport = {
      publishDeviceResults: async (results: DeviceResult[]) => {
        if (publishRefusals-- > 0) throw new Error('device results refused')
        publishing(() => events.push(...results.map((result) => ({ kind: 'device' as const, result }))))
      },
      publishSummary: async (summary, results = []) => {
        if (summaryOutages-- > 0) throw new TransportError(TransportErrorCode.UNAVAILABLE, 'NATS away')
        publishing(() => events.push(...results.map((result) => ({ kind: 'device' as const, result })), { kind: 'summary', summary }))
      },
      publishChunkSummary: async (summary) => publishing(() => events.push({ kind: 'chunk', summary })),
      watchConnection: () => ({ stop: async () => {} })
    } as Partial<Transport> as Transport
    const health = createHealth(own, transport, quiet)
    const stopping = new AbortController()
    const deadline = createDeadline()
    const settled: string[] = []
    const run = new CommandRun({
      command,
      deliveryCount: options.deliveryCount ?? 1,
      firstDelivery: (options.deliveryCount ?? 1) === 1 && options.handedBack !== true,
      lastDelivery: options.lastDelivery ?? false,
      working: options.working ?? (() => {}),
      ack: async () => { settled.push('ack') },
      retry: (delayMs = 0) => { settled.push(`retry ${delayMs}`) },
      handBack: async () => {
        if (options.handBackRefused === true) { settled.push('hand back refused'); throw new Error('the copy was not queued') }
        if (handBackOutages-- > 0) { settled.push('hand back unanswered'); throw new TransportError(TransportErrorCode.UNAVAILABLE, 'NATS away') }
        settled.push('hand back')
      }
    }, health, stopping.signal, deadline)
    const streams = options.streams ?? 8
    const deps: DispatchDeps = { db: own, transport, credentials: credentialsOfHolder, senders, slots: sendSlotsRegistry({ APNS: streams, FCM: streams }), health, retry: options.retry ?? QUICK_RETRY, lease: options.lease ?? QUICK_LEASE, log: options.log ?? quiet }
    // The places of the chunks sending at once, shared by the holders of one dispatcher.
    if (options.chunksSending !== undefined) deps.chunksSending = options.chunksSending
    const done = handleCommand(deps, run)
    done.catch(() => {})
    /** The dispatcher stops; `deadline`: false while it still has time left (held steps are tried again). */
    const stop = ({ deadline: reached = true }: { deadline?: boolean } = {}) => { stopping.abort(); if (reached) deadline.reach() }
    ends.push(async () => { stop(); await done.catch(() => {}); await health.close(); await own.$disconnect().catch(() => {}) })
    return {
      run,
      /** What this holder's dispatcher knows of the database and NATS (a test marks a part down). */
      health,
      /** ack / retry / hand back, as the handler settled the delivery. */
      settled,
      done,
      /** The dispatcher stops: what is on the wire is not awaited; the command is given back. */
      stop,
      /** The process dies: it sends, publishes and writes nothing more. */
      async kill () {
        life.dead = true
        killSenders()
        await own.$disconnect()
      }
    }
  }

  return {
    db,
    provider,
    events,
    applicationId,
    startHolder,
    async addDevice (label: string, spec: DeviceSpec): Promise<bigint> {
      const platform = spec.platform ?? 'APNS'
      const device = await db.device.findUnique({ where: { applicationId_pushToken: { applicationId, pushToken: label } } }) ??
        await db.device.create({ data: { applicationId, pushToken: label, platform, ...(spec.environment === undefined ? {} : { environment: spec.environment }) } })
      labels.set(String(device.id), label)
      await db.deviceActivation.create({ data: { applicationId, deviceId: device.id, activationId: spec.activationId ?? randomUUID(), userId: spec.userId, activationStatus: spec.activationStatus ?? 'ACTIVE' } })
      return device.id
    },
    label: (deviceId: bigint | string) => labels.get(String(deviceId)) ?? `unknown ${deviceId}`,
    async storeMessage (userId: string, extra: Partial<SendCommand> = {}): Promise<SendCommand> {
      const command: SendCommand = { kind: 'message', messageId: randomUUID(), applicationId, userId, personal: false, silent: false, priority: 'HIGH', body: { title: 'hello' }, ...extra }
      await db.message.create({ data: { id: command.messageId, applicationId, userId, personal: command.personal, silent: false, priority: 'HIGH', body: command.body as object } })
      return command
    },
    /** A campaign whose chunks hold these users (in user id order); returns each chunk's command. */
    async storeCampaign (chunks: string[][]): Promise<CampaignChunkCommand[]> {
      const campaign = await db.campaign.create({ data: { applicationId, message: { title: 'campaign' } } })
      await db.campaignUser.createMany({ data: chunks.flat().map((userId) => ({ campaignId: campaign.id, userId })) })
      return Promise.all(chunks.map(async (users, chunk) => {
        const afterUserId = chunk === 0 ? null : chunks[chunk - 1]!.at(-1)!
        await db.campaignChunk.create({ data: { campaignId: campaign.id, chunk, afterUserId, lastUserId: users.at(-1)! } })
        return { kind: 'campaign-chunk' as const, campaignId: String(campaign.id), chunk, applicationId, afterUserId, lastUserId: users.at(-1)!, body: { title: 'campaign' } }
      }))
    }
  }
}
export type DbHarness = Awaited<ReturnType<typeof startDbHarness>>
