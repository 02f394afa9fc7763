import fp from 'fastify-plugin'
import { publishCampaign, unfinishedPublications } from '../../domain/campaign-publisher.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Publishes a campaign in the background; a failure is logged and resumed at the next start. */
    startCampaignPublication (campaignId: bigint): void
  }
}

/** Runs campaign publishers in the background, resumes interrupted ones at start, stops them on close. */
export default fp<{ chunkUsers: number }>(async (app, { chunkUsers }) => {
  const running = new Map<bigint, Promise<void>>()
  const stop = new AbortController()
  const start = (campaignId: bigint) => {
    if (running.has(campaignId)) return
    const work = publishCampaign(app.db, app.transport, campaignId, { chunkUsers, signal: stop.signal })
      .catch((error: unknown) => app.log.error({ err: error, campaignId: campaignId.toString() }, 'campaign publishing failed; it resumes at the next start'))
      .finally(() => running.delete(campaignId))
    running.set(campaignId, work)
  }
  app.decorate('startCampaignPublication', start)
  app.addHook('onReady', async () => {
    for (const campaignId of await unfinishedPublications(app.db)) start(campaignId)
  })
  app.addHook('onClose', async () => {
    stop.abort()
    await Promise.all(running.values())
  })
}, { name: 'campaign-publisher', dependencies: ['db', 'transport'] })
