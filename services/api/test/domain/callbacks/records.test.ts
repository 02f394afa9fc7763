import { randomUUID } from 'node:crypto'
import type { CallbackCommand } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { TransportError, TransportErrorCode, type Transport } from '@beacon/transport'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import t from 'tap'
import { recordCallbackAttempt } from '../../../src/domain/callbacks/records.js'
import { expireMessages } from '../../../src/domain/in-app/fallback.js'
import { queueCallbacks } from '../../../src/domain/outbox/outbox.js'
import { sweepOutbox } from '../../../src/domain/outbox/sweeper.js'
import { failMessages } from '../../../src/domain/results/terminal-states.js'
import { statementsDatabase } from '../../helper.js'

async function developerWithCarrier (db: Db) {
  const application = await db.application.create({ data: { appId: '1', name: 'carrier', carrierDomain: 'carrier.example' } })
  const developer = await db.developer.create({ data: { key: 'k', name: 'Dev', secret: new Uint8Array(32) } })
  return { applicationId: application.id, developerId: developer.id }
}

/** An in-app message of the developer, due to expire, with a push fallback message of its own. */
async function inAppMessage (db: Db, ids: { applicationId: number, developerId: number }) {
  const messageId = randomUUID()
  await db.message.create({ data: { id: messageId, applicationId: ids.applicationId, userId: 'alice', personal: false, silent: false, priority: 'HIGH', body: {} } })
  const inbox = await db.inboxMessage.create({
    data: {
      id: randomUUID(),
      userId: 'alice',
      type: 'TEXT',
      subject: '',
      summary: 'hi',
      body: 'hi',
      developerId: ids.developerId,
      pushMessageId: messageId,
      expiresAt: new Date(Date.now() - 1000),
      applications: { create: [{ applicationId: ids.applicationId }] }
    }
  })
  return { requestId: inbox.id, messageId }
}

const callback = (developerId: number): CallbackCommand => {
  const requestId = randomUUID()
  return { developerId, body: { eventId: `${requestId}:im.delivered`, event: 'im.delivered', requestId, to: 'alice@carrier.example', timestamp: new Date().toISOString() } }
}

// guarantee: callback-recorded
t.test('a queued callback is recorded PENDING with it; the same eventId queued again is one record', async (t) => {
  const db = await statementsDatabase(t)
  const { developerId } = await developerWithCarrier(db)
  const queued = callback(developerId)
  await queueCallbacks(db.pool, [queued, callback(developerId)])
  await queueCallbacks(db.pool, [queued])
  t.equal(await db.outbox.count(), 3, 'every one in the outbox (JetStream drops the repeat)')
  const records = await db.callbackDelivery.findMany({ orderBy: { id: 'asc' } })
  t.equal(records.length, 2)
  t.match(records[0], { developerId, eventId: queued.body.eventId, event: 'im.delivered', requestId: queued.body.requestId })
  t.match(records[0], { status: 'PENDING', attempts: 0, lastStatus: null, lastError: null, lastAttemptAt: null, completedAt: null })
})

// guarantee: callback-recorded
t.test('the push.failed of a failed fallback and the expired of an in-app message are recorded by their statements', async (t) => {
  const db = await statementsDatabase(t)
  const ids = await developerWithCarrier(db)
  const failed = await inAppMessage(db, ids)
  t.equal(await failMessages(db.pool, [failed.messageId], 'NotQueued'), 1)
  const expiring = await inAppMessage(db, ids)
  await db.inboxMessage.update({ where: { id: failed.requestId }, data: { expiresAt: null } })
  t.equal(await expireMessages({ db, outbox: { kick: () => {} } } as unknown as FastifyInstance, 10), 1)

  const records = await db.callbackDelivery.findMany({ orderBy: { id: 'asc' } })
  t.match(records, [
    { developerId: ids.developerId, eventId: `${failed.requestId}:push.failed`, event: 'push.failed', status: 'PENDING' },
    { developerId: ids.developerId, eventId: `${expiring.requestId}:expired`, event: 'expired', status: 'PENDING' }
  ])
  t.equal(records.length, 2)
  t.equal(await db.outbox.count({ where: { kind: 'callback' } }), 2, 'each beside its outbox row')
})

t.test('attempts: retried stays PENDING, given up is FAILED, a delivered callback stays delivered, a late report is ignored', async (t) => {
  const db = await statementsDatabase(t)
  const { developerId } = await developerWithCarrier(db)
  const [a, b] = [callback(developerId), callback(developerId)]
  await queueCallbacks(db.pool, [a, b])
  const keyOf = (c: CallbackCommand) => ({ developerId, eventId: c.body.eventId })
  const record = async (c: CallbackCommand) => await db.callbackDelivery.findUniqueOrThrow({ where: { developerId_eventId: keyOf(c) } })

  await recordCallbackAttempt(db.pool, keyOf(a), { kind: 'retried', attempts: 1, lastStatus: 500 })
  t.match(await record(a), { status: 'PENDING', attempts: 1, lastStatus: 500, lastError: null, lastAttemptAt: Date, completedAt: null })
  await recordCallbackAttempt(db.pool, keyOf(a), { kind: 'given-up', attempts: 2, lastError: 'ECONNREFUSED' })
  t.match(await record(a), { status: 'FAILED', attempts: 2, lastStatus: null, lastError: 'ECONNREFUSED', completedAt: Date })
  await recordCallbackAttempt(db.pool, keyOf(a), { kind: 'retried', attempts: 1, lastStatus: 500 })
  t.match(await record(a), { status: 'FAILED', attempts: 2, lastError: 'ECONNREFUSED' }, 'the first attempt\'s report, late, changes nothing')

  await recordCallbackAttempt(db.pool, keyOf(b), { kind: 'delivered', attempts: 2, lastStatus: 204 })
  await recordCallbackAttempt(db.pool, keyOf(b), { kind: 'retried', attempts: 1, lastError: 'TimeoutError' })
  t.match(await record(b), { status: 'DELIVERED', attempts: 2, lastStatus: 204, lastError: null, completedAt: Date }, 'a late attempt of another copy changes nothing')

  // A drop counts no attempt: the first attempt's report arriving after the second was dropped
  // (the developer disabled meanwhile) must not reopen the record.
  const c = callback(developerId)
  await queueCallbacks(db.pool, [c])
  await recordCallbackAttempt(db.pool, keyOf(c), { kind: 'dropped', lastError: 'DeveloperDisabled' })
  await recordCallbackAttempt(db.pool, keyOf(c), { kind: 'retried', attempts: 1, lastStatus: 503 })
  t.match(await record(c), { status: 'FAILED', lastError: 'DeveloperDisabled', completedAt: Date }, 'a late report after a drop changes nothing')
})

t.test('a callback NATS refuses for good is recorded FAILED NotQueued, with no attempt', async (t) => {
  const db = await statementsDatabase(t)
  const { developerId } = await developerWithCarrier(db)
  const refused = callback(developerId)
  await queueCallbacks(db.pool, [refused])
  await db.outbox.updateMany({ data: { publishAfter: new Date(Date.now() - 1000) } })
  const transport = { publishCallback: async () => { throw new TransportError(TransportErrorCode.PUBLISH_REFUSED, 'too large') } } as unknown as Transport
  const log = { error: () => {}, warn: () => {} } as unknown as FastifyBaseLogger
  t.equal(await sweepOutbox(db, transport, { batch: 10, retryDelayMs: 1 }, log), 1)
  t.match(await db.callbackDelivery.findFirstOrThrow(), { status: 'FAILED', lastError: 'NotQueued', attempts: 0, lastAttemptAt: null, completedAt: Date })
})

/** A queued callback that went on with a later copy, `live`, after one attempt. */
async function callbackWentOn (t: Parameters<typeof statementsDatabase>[0]) {
  const db = await statementsDatabase(t)
  const { developerId } = await developerWithCarrier(db)
  const c = callback(developerId)
  await queueCallbacks(db.pool, [c])
  const live = randomUUID()
  await db.callbackDelivery.updateMany({ data: { copyId: live, attempts: 1 } })
  return { db, developerId, c, live }
}

t.test('only the live copy changes the record: a copy the callback went on without reports nothing', async (t) => {
  const { db, developerId, c, live } = await callbackWentOn(t)
  const before = await db.callbackDelivery.findFirstOrThrow()
  const outcomes = [
    { kind: 'given-up', attempts: 8, lastError: 'TimeoutError' }, { kind: 'delivered', attempts: 2, lastStatus: 200 },
    { kind: 'dropped', lastError: 'DeveloperDisabled' }, { kind: 'retried', attempts: 2, lastStatus: 500 }
  ] as const
  for (const stale of [randomUUID(), null]) {
    for (const outcome of outcomes) {
      t.equal(await recordCallbackAttempt(db.pool, { developerId, eventId: c.body.eventId, copy: stale }, outcome), false, `${outcome.kind} by ${stale === null ? 'the first copy' : 'another copy'}`)
    }
  }
  t.same(await db.callbackDelivery.findFirstOrThrow(), before, 'the record unchanged')
  t.equal(await recordCallbackAttempt(db.pool, { developerId, eventId: c.body.eventId, copy: live }, outcomes[0]), true, 'the live copy gives up')
  t.match(await db.callbackDelivery.findFirstOrThrow(), { status: 'FAILED', attempts: 8 })
})

t.test('a first copy queued again and refused by NATS leaves a callback that went on with a later copy as it is', async (t) => {
  const { db, live } = await callbackWentOn(t)
  await db.outbox.updateMany({ data: { publishAfter: new Date(Date.now() - 1000) } })
  const transport = { publishCallback: async () => { throw new TransportError(TransportErrorCode.PUBLISH_REFUSED, 'too large') } } as unknown as Transport
  const log = { error: () => {}, warn: () => {} } as unknown as FastifyBaseLogger
  t.equal(await sweepOutbox(db, transport, { batch: 10, retryDelayMs: 1 }, log), 1)
  t.match(await db.callbackDelivery.findFirstOrThrow(), { status: 'PENDING', copyId: live, attempts: 1, lastError: null })
})

// guarantee: callback-event-once
t.test('a callback queued again once it has ended, or gone on with a later copy, keeps its record as it is', async (t) => {
  const { db, developerId, c, live } = await callbackWentOn(t)
  const ended = callback(developerId)
  await queueCallbacks(db.pool, [ended])
  await recordCallbackAttempt(db.pool, { developerId, eventId: ended.body.eventId, copy: null }, { kind: 'delivered', attempts: 1, lastStatus: 200 })
  const before = await db.callbackDelivery.findMany({ orderBy: { id: 'asc' } })
  // Past JetStream's duplicate window, only the record keeps these first copies from going out again.
  await queueCallbacks(db.pool, [c, ended])
  t.same(await db.callbackDelivery.findMany({ orderBy: { id: 'asc' } }), before, 'neither record reopened nor moved back to the first copy')
  t.match(before, [{ eventId: c.body.eventId, status: 'PENDING', copyId: live }, { eventId: ended.body.eventId, status: 'DELIVERED' }])
})
