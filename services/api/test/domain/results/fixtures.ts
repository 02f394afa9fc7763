import { randomUUID } from 'node:crypto'
import type { ChunkSummary, DeviceResult, MessageSummary } from '@beacon/contracts'
import type { ResultEvent } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../helper.js'

// What the recorder's tests hand in, as the transport would, and the claims they answer.
export const quiet = { OUTBOX_SWEEP_INTERVAL_MS: '60000' }
export const counts = { sent: 0, failed: 0, pending: 0, total: 0 }
export const at = () => new Date().toISOString()

export const messageResult = (messageId: string, deviceId: number, extra: Partial<DeviceResult> = {}): ResultEvent =>
  ({ kind: 'device', result: { messageId, deviceId: String(deviceId), platform: 'APNS', status: 'SENT', tokenInvalid: false, attempts: 1, at: at(), ...extra } as DeviceResult })
export const campaignResult = (campaignId: bigint, deviceId: number, extra: Partial<DeviceResult> = {}): ResultEvent =>
  ({ kind: 'device', result: { campaignId: campaignId.toString(), deviceId: String(deviceId), platform: 'FCM', status: 'SENT', tokenInvalid: false, attempts: 1, at: at(), ...extra } as DeviceResult })
export const summary = (messageId: string): ResultEvent => ({ kind: 'summary', summary: { messageId, ios: counts, android: counts } satisfies MessageSummary })
export const chunkSummary = (campaignId: bigint, chunk: number, reason?: string): ResultEvent =>
  ({ kind: 'chunk', summary: { campaignId: campaignId.toString(), chunk, ios: counts, android: counts, ...(reason === undefined ? {} : { reason }) } satisfies ChunkSummary })

/** A message whose dispatcher claimed devices 1 and 2 (PENDING). */
export async function claimedMessage (app: FastifyInstance, applicationId: number): Promise<string> {
  const id = randomUUID()
  await app.db.message.create({ data: { id, applicationId, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'x' } } })
  await app.db.messageDelivery.createMany({ data: [1n, 2n].map((deviceId) => ({ messageId: id, deviceId, platform: 'APNS' as const })) })
  return id
}

/** A campaign of one published chunk whose dispatcher claimed devices 1 and 2. */
export async function claimedCampaign (app: FastifyInstance, applicationId: number): Promise<bigint> {
  const campaign = await app.db.campaign.create({ data: { applicationId, message: { title: 'x' }, sentAt: new Date(), publishedAt: new Date() } })
  await app.db.campaignChunk.create({ data: { campaignId: campaign.id, chunk: 0, lastUserId: 'u' } })
  await app.db.campaignDelivery.createMany({ data: [1n, 2n].map((deviceId) => ({ campaignId: campaign.id, deviceId, chunk: 0, platform: 'FCM' as const })) })
  return campaign.id
}

export async function setUp (t: Parameters<typeof buildApp>[0]) {
  const { app } = await buildApp(t, quiet)
  const application = await app.db.application.create({ data: { appId: '2', name: 'app' } })
  return { app, applicationId: application.id }
}
