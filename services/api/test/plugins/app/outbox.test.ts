import { randomUUID } from 'node:crypto'
import type { Command, SendCommand } from '@beacon/contracts'
import { createNatsTransport } from '@beacon/transport'
import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { startPrivateNats } from '../../private-nats.js'

const until = async (condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

// guarantee: campaign-resume-after-restart
t.test('a campaign planned while NATS was down, its api stopped: a new api started on the database publishes every chunk once, and it completes', async (t) => {
  const nats = await startPrivateNats(t)
  const env = { NATS_URL: nats.url, CAMPAIGN_CHUNK_USERS: '3', OUTBOX_SWEEP_INTERVAL_MS: '50', OUTBOX_PUBLISH_GRACE_MS: '200' }
  const first = await buildApp(t, env)
  const application = await first.app.db.application.create({ data: { appId: '2', name: 'app' } })
  const campaign = await first.app.db.campaign.create({ data: { applicationId: application.id, message: { title: 'Hi' } } })
  await first.app.db.campaignUser.createMany({ data: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'].map((userId) => ({ campaignId: campaign.id, userId })) })

  // NATS goes, the campaign is sent: planned and answered, its chunks only in the outbox. Then the api stops.
  await nats.stop()
  t.equal((await call(first.app, 'POST', `/push/campaign/send/live/${campaign.id}`)).statusCode, 200)
  await until(async () => (await first.app.db.outbox.findMany()).some((row) => row.attempts > 0), 'a failed attempt to publish')
  await first.app.close()
  await nats.start()

  // A new api, built as server.ts builds it, on the same database and streams.
  const second = await buildApp(t, { ...env, DATABASE_URL: first.databaseUrl, NATS_PREFIX: first.config.nats.prefix, MASTER_KEY: first.config.masterKey.toString('base64') })
  const { app } = second
  await until(async () => await app.db.outbox.count() === 0, 'the new api published the outbox')

  // A stand-in dispatcher reads the stream to a control command published last, and reports each chunk done.
  const dispatcher = await createNatsTransport({ servers: nats.url, prefix: first.config.nats.prefix, name: 'test-dispatcher' })
  t.teardown(() => dispatcher.close())
  const commands: Command[] = []
  dispatcher.consumeCommands(async (delivery) => {
    const command = delivery.command
    commands.push(command)
    if (command.kind === 'campaign-chunk') {
      const none = { sent: 0, pending: 0, failed: 0, total: 0 }
      await dispatcher.publishChunkSummary({ campaignId: command.campaignId, chunk: command.chunk, ios: none, android: none })
    }
    await delivery.ack()
  }, { concurrency: 1 })
  const control: SendCommand = { kind: 'message', messageId: randomUUID(), applicationId: application.id, userId: 'control', personal: false, silent: false, priority: 'HIGH', body: {} }
  await dispatcher.publishCommand(control)
  await until(() => commands.some((c) => c.kind === 'message' && c.messageId === control.messageId), 'the control command')

  t.same(commands.map((c) => c.kind === 'campaign-chunk' ? [c.campaignId, c.chunk, c.afterUserId, c.lastUserId] : c.messageId), [
    [campaign.id.toString(), 0, null, 'u3'], [campaign.id.toString(), 1, 'u3', 'u6'], [campaign.id.toString(), 2, 'u6', 'u7'], control.messageId
  ], 'every chunk in the stream exactly once, in order, before the control')
  await until(async () => (await app.db.campaign.findUniqueOrThrow({ where: { id: campaign.id } })).completedAt !== null, 'the campaign completed')
  const detail = (await call(app, 'GET', `/push/campaign/${campaign.id}/detail`)).json().responseObject
  t.equal(detail.sent, true)
})

t.test('a backlog larger than a sweep\'s batch (500) is published in one round, batch after batch, not a batch per interval', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  const commands: SendCommand[] = Array.from({ length: 1201 }, () => ({
    kind: 'message', messageId: randomUUID(), applicationId: 1, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: {}
  }))
  await app.db.outbox.createMany({ data: commands.map((command) => ({ kind: 'command', payload: command as never })) })
  app.outbox.kick()
  await until(async () => await app.db.outbox.count() === 0, 'the whole backlog published', 20_000)
  t.pass('three batches in one round, the next a minute away')
})

t.test('rows written while a sweep is under way are published as soon as it ends, not at the next round', async (t) => {
  const { app } = await buildApp(t, { OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  const send = (): SendCommand => ({ kind: 'message', messageId: randomUUID(), applicationId: 1, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: {} })
  // The sweep's publish of the first row is held until the second row is written and the sweeper kicked.
  const [held, next] = [send(), send()]
  let release = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  let holding = () => {}
  const sweepHolding = new Promise<void>((resolve) => { holding = resolve })
  const publishCommand = app.transport.publishCommand.bind(app.transport)
  app.transport.publishCommand = async (command: Command) => {
    if (command.kind === 'message' && command.messageId === held.messageId) { holding(); await released }
    await publishCommand(command)
  }
  await app.db.outbox.create({ data: { kind: 'command', payload: held as never } })
  app.outbox.kick()
  await sweepHolding
  await app.db.outbox.create({ data: { kind: 'command', payload: next as never } })
  app.outbox.kick()
  release()
  await until(async () => await app.db.outbox.count() === 0, 'both rows published', 5000)
  t.pass('the kick made during the sweep was not lost')
})
