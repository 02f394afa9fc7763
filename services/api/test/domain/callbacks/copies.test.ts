import { randomUUID } from 'node:crypto'
import type { CallbackCommand } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import t from 'tap'
import { queueCallbackCopy } from '../../../src/domain/callbacks/copies.js'
import { queueCallbacks } from '../../../src/domain/outbox/outbox.js'
import { statementsDatabase } from '../../helper.js'

async function queuedCallback (db: Db): Promise<CallbackCommand> {
  const developer = await db.developer.create({ data: { key: `k-${randomUUID()}`, name: 'Dev', secret: new Uint8Array(32) } })
  const requestId = randomUUID()
  const callback = {
    developerId: developer.id,
    body: { eventId: `${requestId}:push.sent`, event: 'push.sent' as const, requestId, to: 'alice@carrier.example', timestamp: new Date().toISOString() }
  }
  await queueCallbacks(db.pool, [callback])
  await db.outbox.deleteMany({})
  return callback
}

const copies = async (db: Db) => (await db.outbox.findMany({ orderBy: { id: 'asc' } })).map((row) => row.payload as unknown as CallbackCommand)

t.test('copies of one callback queued at the same moment from the same copy: one wins, the other is told to drop', async (t) => {
  const db = await statementsDatabase(t, 4)
  const callback = await queuedCallback(db)
  // Two deliveries of the first copy (one redelivered while the other was still being handled).
  const queued = await Promise.all([
    queueCallbackCopy(db.pool, callback, { attempts: 1, delayMs: 1000, failed: { lastStatus: 503 } }),
    queueCallbackCopy(db.pool, callback, { attempts: 2, delayMs: 1000, failed: { lastError: 'TimeoutError' } })
  ])
  t.same(queued.filter(Boolean).length, 1, 'one copy queued')
  const [next, ...others] = await copies(db)
  t.same(others, [], 'one row in the outbox')
  const record = await db.callbackDelivery.findFirstOrThrow({ where: { developerId: callback.developerId } })
  t.equal(record.copyId, next?.copy, 'the record names the queued copy')
  t.equal(record.attempts, next?.attempts, 'and the attempts of the one that won')
  t.equal(record.status, 'PENDING')

  // The loser's copy, or the first copy delivered again: its swap fails, it queues nothing.
  t.equal(await queueCallbackCopy(db.pool, callback, { attempts: 3, delayMs: 0 }), false, 'the first copy is no longer live')
  t.equal(await queueCallbackCopy(db.pool, { ...callback, copy: randomUUID() }, { attempts: 3, delayMs: 0 }), false, 'nor is an unknown copy')
  t.equal((await copies(db)).length, 1)

  // The live copy puts itself off: no attempt recorded, the record moves on to the new copy.
  t.equal(await queueCallbackCopy(db.pool, next!, { attempts: next!.attempts!, delayMs: 0 }), true)
  const after = await db.callbackDelivery.findFirstOrThrow({ where: { developerId: callback.developerId } })
  const latest = (await copies(db)).at(-1)
  t.match(after, { copyId: latest?.copy, attempts: record.attempts }, 'a put-off records no attempt')
  // t.match takes any Date for a Date: the time itself is compared.
  t.equal(after?.lastAttemptAt?.getTime(), record.lastAttemptAt?.getTime(), 'nor an attempt\'s time')
  t.not(latest?.copy, next?.copy)
})

t.test('a callback that has ended, or has no record, is queued only in the second case', async (t) => {
  const db = await statementsDatabase(t, 4)
  const ended = await queuedCallback(db)
  await db.callbackDelivery.updateMany({ data: { status: 'DELIVERED' } })
  t.equal(await queueCallbackCopy(db.pool, ended, { attempts: 1, delayMs: 0, failed: { lastStatus: 500 } }), false, 'an ended callback is not queued again')
  const unrecorded = await queuedCallback(db)
  await db.callbackDelivery.deleteMany({ where: { developerId: unrecorded.developerId } })
  t.equal(await queueCallbackCopy(db.pool, unrecorded, { attempts: 1, delayMs: 250, failed: { lastStatus: 500 } }), true, 'one without a record is')
  const [row] = await db.outbox.findMany({})
  t.match(row?.payload, { developerId: unrecorded.developerId, attempts: 1, body: unrecorded.body })
  const wait = row!.publishAfter.getTime() - row!.createdAt.getTime()
  t.ok(wait >= 249 && wait <= 251, `due after its delay (${wait} ms)`)
})

t.test('a callback put off keeps what its last attempt came to', async (t) => {
  const db = await statementsDatabase(t)
  const callback = await queuedCallback(db)
  t.equal(await queueCallbackCopy(db.pool, callback, { attempts: 1, delayMs: 0, failed: { lastStatus: 503 } }), true)
  const [retry] = await copies(db)
  t.equal(await queueCallbackCopy(db.pool, retry!, { attempts: 1, delayMs: 0 }), true, 'the retry put off')
  t.match(await db.callbackDelivery.findFirstOrThrow({ where: { developerId: callback.developerId } }), { status: 'PENDING', attempts: 1, lastStatus: 503, lastError: null })
})
