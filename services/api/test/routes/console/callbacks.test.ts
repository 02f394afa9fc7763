import { randomUUID } from 'node:crypto'
import type { CallbackRecord } from '@beacon/contracts'
import t from 'tap'
import { buildApp, localCallbackEnv } from '../../helper.js'
import { callbackBody, createDeveloper, emitCallback, receiver, secret } from '../../plugins/app/callbacks/fixtures.js'
import { allPages, consoleCall, expectBadRequest } from './fixtures.js'

const FIELDS = ['attempts', 'event', 'eventId', 'lastError', 'lastStatus', 'requestId', 'status', 'timestampCompleted', 'timestampCreated', 'timestampLastAttempt']

// guarantee: console-keyset-pages, console-reads-scoped, console-callbacks-nothing-secret
t.test('a developer\'s callbacks newest first across pages, none of another developer, nothing secret', async (t) => {
  const { app } = await buildApp(t)
  const developerId = await createDeveloper(app, 'https://hooks.example/beacon?token=url-secret')
  const other = await app.db.developer.create({ data: { key: 'other', name: 'Other', secret: new Uint8Array(32) } })
  const record = (developer: number, i: number) => {
    const requestId = randomUUID()
    return { developerId: developer, eventId: `${requestId}:push.sent`, event: 'push.sent', requestId, status: 'FAILED' as const, attempts: i, lastStatus: 500 + i }
  }
  // Interleaved, as callbacks of several developers are recorded.
  for (let i = 0; i < 7; i++) await app.db.callbackDelivery.createMany({ data: [record(developerId, i), record(other.id, i)] })

  const pages = await allPages<CallbackRecord>(t, app, 'callback/list', 'callbackList', { developerId }, 3)
  t.same(pages.map((page) => page.length), [3, 3, 1])
  const listed = pages.flat()
  t.same(listed.map((c) => c.attempts), [6, 5, 4, 3, 2, 1, 0], 'newest first, each once')
  const mine = await app.db.callbackDelivery.findMany({ where: { developerId }, select: { eventId: true } })
  t.same(new Set(listed.map((c) => c.eventId)), new Set(mine.map((c) => c.eventId)), 'only this developer\'s')
  t.ok(listed.every((c) => Object.keys(c).sort().join() === FIELDS.join()), 'the record\'s fields, nothing more')
  t.match(listed[0], { status: 'FAILED', lastStatus: 506, lastError: null, timestampLastAttempt: null, timestampCompleted: null })

  const body = JSON.stringify(listed)
  t.notOk(body.includes('url-secret') || body.includes('hooks.example') || body.includes(secret), 'neither the callback URL nor the secret')
})

t.test('a callback sent to the developer\'s server is listed with its outcome', async (t) => {
  const { app } = await buildApp(t, localCallbackEnv)
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const body = callbackBody('push.sent')
  await emitCallback(app, developerId, body)

  const deadline = Date.now() + 20_000
  let listed: CallbackRecord[] = []
  while (listed[0]?.status !== 'DELIVERED') {
    if (Date.now() > deadline) throw new Error(`the callback is ${listed[0]?.status ?? 'not listed'}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
    listed = (await consoleCall(app, 'callback/list', { developerId })).json().responseObject.callbackList
  }
  t.equal(listed.length, 1)
  t.match(listed[0], { eventId: body.eventId, event: 'push.sent', requestId: body.requestId, attempts: 1, lastStatus: 200, lastError: null })
  t.ok(Date.parse(listed[0]!.timestampCompleted ?? '') >= Date.parse(listed[0]!.timestampCreated))
})

t.test('an unknown or malformed developer id is a 400', async (t) => {
  const { app } = await buildApp(t)
  await expectBadRequest(t, app, 'callback/list', { developerId: 42 }, /Developer with id 42 does not exist/)
  await expectBadRequest(t, app, 'callback/list', { developerId: '99999999999' }, /Developer with id 99999999999 does not exist/)
  await expectBadRequest(t, app, 'callback/list', { developerId: 'one' }, /requestObject\.developerId/)
  await expectBadRequest(t, app, 'callback/list', {}, /requestObject\.developerId is required/)
})
