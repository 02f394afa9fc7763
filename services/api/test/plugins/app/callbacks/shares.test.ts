import { randomUUID } from 'node:crypto'
import { natsNames } from '@beacon/contracts'
import { readWorkQueue } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import type { ApiConfig } from '../../../../src/config.js'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../../src/domain/developers/developers.js'
import { callbacksSettled } from '../../../callbacks-settled.js'
import { buildApp, localCallbackEnv } from '../../../helper.js'
import { callbackBody, emitCallback, receiver, secret, startScriptedServer } from './fixtures.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function createDeveloperWithKey (app: FastifyInstance, key: string, callbackUrl: string) {
  const id = await allocateDeveloperId(app.db)
  await app.db.developer.create({ data: { id, key, name: key, secret: sealDeveloperSecret(app.secrets, id, secret), callbackUrl } })
  return id
}

const callbackQueue = (config: ApiConfig) => {
  const names = natsNames(config.nats.prefix)
  return { stream: names.callbackStream, consumer: names.callbackConsumer, servers: config.nats.url }
}

async function until (what: string, check: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

interface WaitingCopy { payload: { developerId: number, attempts?: number, copy?: string, body: { eventId: string } }, publishAfter: Date }
const waitingCopies = async (app: FastifyInstance) =>
  await app.db.outbox.findMany({ where: { kind: 'callback' }, orderBy: { id: 'asc' } }) as unknown as WaitingCopy[]

// guarantee: callback-developer-share
t.test('a developer whose server never answers holds its share of the senders only: another developer\'s callbacks go out meanwhile', async (t) => {
  // Six senders, two a developer. A holds more callbacks than all six, queued first; each attempt
  // of theirs would hang for a minute. Before shares, A's took every sender and B's waited that minute.
  const { app, config } = await buildApp(t, {
    ...localCallbackEnv, CALLBACK_CONCURRENCY: '6', CALLBACK_DEVELOPER_CONCURRENCY: '2', CALLBACK_TIMEOUT_MS: '60000'
  })
  const hanging = await startScriptedServer(t, () => new Promise(() => {}))
  const slow = await createDeveloperWithKey(app, 'slow-key', hanging.url('/cb'))
  const bKey = 'b-key'
  const hooks = await receiver(t, new Map([[bKey, secret]]))
  const healthy = await createDeveloperWithKey(app, bKey, hooks.url('/cb'))

  for (let i = 0; i < 20; i++) await emitCallback(app, slow, callbackBody())
  // A's two attempts hang; the other eighteen were put off, waiting in the outbox, not in the stream.
  // The put-off copies keep coming due (the first after half a second) and are put off again, each
  // as a new copy, so the rows and the records are read in one snapshot, at a moment when none is
  // in the stream. Rows without a copy are first copies the outbox has yet to publish.
  let seen: { putOff: WaitingCopy[], records: Array<{ copyId: string | null }> } | undefined
  await until('A\'s callbacks to be taken and the rest put off', async () => {
    if (hanging.requests().length !== 2) return false
    const queue = await readWorkQueue(callbackQueue(config))
    if (queue.messages !== 2 || queue.ackPending !== 2) return false
    seen = await app.db.$transaction(async (tx) => ({
      putOff: await tx.outbox.findMany({ where: { kind: 'callback' }, orderBy: { id: 'asc' } }) as unknown as WaitingCopy[],
      records: await tx.callbackDelivery.findMany({ where: { developerId: slow } })
    }), { isolationLevel: 'RepeatableRead' })
    return seen.putOff.length === 18 && seen.putOff.every((row) => row.payload.copy !== undefined)
  })
  const { putOff, records } = seen!
  t.ok(putOff.every((row) => row.payload.developerId === slow && row.payload.attempts === 0 && typeof row.payload.copy === 'string'),
    'each put off as a copy of its own, no attempt counted')
  const copies = new Set(putOff.map((row) => row.payload.copy))
  t.equal(records.filter((r) => r.copyId !== null && copies.has(r.copyId)).length, 18, 'each put-off callback\'s record names its copy')

  const bodies = [callbackBody(), callbackBody(), callbackBody()]
  for (const body of bodies) await emitCallback(app, healthy, body)
  await hooks.until((received) => received.length >= 3)
  t.same(hooks.received().map((r) => [r.verified, r.status]), [[true, 200], [true, 200], [true, 200]], 'B\'s three went out, verified')
  t.same(new Set(hooks.received().map((r) => r.body)), new Set(bodies.map((body) => JSON.stringify(body))))
  t.equal(hanging.requests().length, 2, 'A\'s server never had more than its share of attempts')
  // Recorded once acknowledged, after the answer arrived.
  await until('B\'s records', async () => await app.db.callbackDelivery.count({ where: { developerId: healthy, status: 'DELIVERED', attempts: 1 } }) === 3)
  t.pass('B\'s three are recorded delivered at the first attempt')
})

// guarantee: callback-retry-in-outbox
t.test('a retry waits in the outbox as a copy of its own, not in the callback consumer, and only the live copy is ever attempted', async (t) => {
  const { app, config } = await buildApp(t, {
    ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '600000', CALLBACK_MAX_DELAY_MS: '600000'
  })
  const hooks = await receiver(t, new Map([['k-retry', secret]]))
  hooks.failNext(1, 503)
  const developerId = await createDeveloperWithKey(app, 'k-retry', hooks.url('/cb'))
  const body = callbackBody()
  await emitCallback(app, developerId, body)
  await until('the retry to be queued', async () => (await waitingCopies(app)).some((row) => row.payload.copy !== undefined))
  await until('the first copy to be settled', async () => {
    const queue = await readWorkQueue(callbackQueue(config))
    return queue.messages === 0 && queue.ackPending === 0
  })
  const [retry] = await waitingCopies(app)
  t.match(retry?.payload, { developerId, attempts: 1, body: { eventId: body.eventId } }, 'the retry carries the attempts made')
  const waitMs = retry!.publishAfter.getTime() - Date.now()
  t.ok(waitMs > 400_000 && waitMs <= 600_000, `due after the backoff (in ${Math.round(waitMs / 1000)} s)`)
  const [record] = await app.db.callbackDelivery.findMany({ where: { developerId } })
  t.match(record, { status: 'PENDING', attempts: 1, lastStatus: 503, copyId: retry?.payload.copy }, 'the record names the retry\'s copy')

  // A copy the callback went on without: one queued by an instance that then failed to acknowledge
  // the copy it handled. It is dropped unattempted.
  await app.transport.publishCallback({ developerId, body, attempts: 0, copy: randomUUID() })
  await until('the stale copy to be dropped', async () => {
    const queue = await readWorkQueue(callbackQueue(config))
    return queue.deliveries === 2 && queue.messages === 0 && queue.ackPending === 0
  })
  t.equal(hooks.received().length, 1, 'the stale copy made no attempt')

  // The live copy, once due, is attempted and ends the callback; a copy after that is dropped too.
  await app.db.outbox.updateMany({ where: { kind: 'callback' }, data: { publishAfter: new Date() } })
  app.outbox.kick()
  await hooks.until((received) => received.length >= 2)
  await callbacksSettled(app, config)
  t.same(hooks.received().map((r) => r.status), [503, 200], 'the retry was accepted')
  await app.transport.publishCallback({ developerId, body, attempts: 5, copy: randomUUID() })
  const settled = await callbacksSettled(app, config)
  t.equal(settled.deliveries, 4, 'the later copy was taken')
  t.equal(hooks.received().length, 2, 'and made no attempt: the callback was delivered')
  t.match(await app.db.callbackDelivery.findFirst({ where: { developerId } }), { status: 'DELIVERED', attempts: 2 })
})

t.test('a callback put off waits for its developer\'s sender to free up, though CALLBACK_MAX_DELAY_MS is shorter: 4 × CALLBACK_TIMEOUT_MS bounds it then', async (t) => {
  const { app } = await buildApp(t, {
    ...localCallbackEnv, CALLBACK_DEVELOPER_CONCURRENCY: '1', CALLBACK_TIMEOUT_MS: '2000', CALLBACK_BASE_DELAY_MS: '10', CALLBACK_MAX_DELAY_MS: '10'
  })
  const hanging = await startScriptedServer(t, () => new Promise(() => {}))
  const developerId = await createDeveloperWithKey(app, 'k-hang', hanging.url('/cb'))
  await emitCallback(app, developerId, callbackBody())
  await until('the first attempt', async () => hanging.requests().length === 1)
  await emitCallback(app, developerId, callbackBody())
  let putOff: { publishAfter: Date, createdAt: Date } | undefined
  await until('the second callback to be put off', async () => {
    const rows = await app.db.outbox.findMany({ where: { kind: 'callback' } })
    putOff = rows.find((row) => (row.payload as { attempts?: number }).attempts === 0)
    return putOff !== undefined
  })
  const aheadMs = putOff!.publishAfter.getTime() - putOff!.createdAt.getTime()
  // One attempt time (a first estimate of 1 s) ÷ a share of one; capped at 10 ms it would come back at once, again and again.
  t.ok(aheadMs >= 900 && aheadMs <= 8000, `put off ${aheadMs} ms`)
})
