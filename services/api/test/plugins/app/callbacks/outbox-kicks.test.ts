import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { handle } from '../../../../src/plugins/app/callbacks/deliver.js'
import { outboxKicks } from '../../../../src/plugins/app/callbacks/outbox-kicks.js'
import { buildApp, localCallbackEnv } from '../../../helper.js'
import { callbackBody, createDeveloper, emitCallback, receiver } from './fixtures.js'
import { copyOf, sendingFor } from './handler-harness.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function counted () {
  const kicks: number[] = []
  const app = { outbox: { kick: () => { kicks.push(performance.now()) } } } as unknown as Pick<FastifyInstance, 'outbox'>
  return { kicks, kickAfter: outboxKicks(app) }
}

t.test('the sweeper is woken when each queued copy falls due, not only the first time', async (t) => {
  const { kicks, kickAfter } = counted()
  t.teardown(() => { kickAfter.cancel() })
  kickAfter(20)
  await sleep(150)
  t.equal(kicks.length, 1, 'the first wake-up')
  kickAfter(20)
  await sleep(150)
  t.equal(kicks.length, 2, 'a copy queued after it gets its own')
})

t.test('an earlier copy brings the wake-up forward; a later one waits for the earlier', async (t) => {
  const { kicks, kickAfter } = counted()
  t.teardown(() => { kickAfter.cancel() })
  kickAfter(5000)
  kickAfter(10)
  kickAfter(400)
  kickAfter(3000)
  await sleep(300)
  t.equal(kicks.length, 1, 'woken for the earliest, long before the first one asked, not put back by a later one')
})

t.test('a retry and a callback put off each ask for a wake-up when they fall due', async (t) => {
  const { app, config } = await buildApp(t, localCallbackEnv)
  const hooks = await receiver(t)
  hooks.failNext(1, 500)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  const { sending } = sendingFor(t, app, config.signedApi)
  const wakeUps: number[] = []
  sending.kickAfter = Object.assign((delayMs: number) => { wakeUps.push(delayMs) }, { cancel: () => {} })

  const failed = copyOf({ developerId, body: callbackBody() })
  await handle(app, sending, failed.delivery)
  // The developer's whole share of the senders taken: the next callback is put off.
  while (sending.shares.take(developerId) !== undefined);
  const putOff = copyOf({ developerId, body: callbackBody() })
  await handle(app, sending, putOff.delivery)

  t.same([failed.settled, putOff.settled], [['ack'], ['ack']], 'both queued again')
  t.equal(await app.db.outbox.count({ where: { kind: 'callback' } }), 2)
  t.equal(wakeUps.length, 2, 'a wake-up for each: the sweeper\'s round may be a minute away (OUTBOX_SWEEP_INTERVAL_MS)')
  t.ok(wakeUps.every((delayMs) => delayMs > 0), `each when its copy falls due: ${wakeUps.join(', ')} ms`)
})

t.test('an emitted callback is published at once, not at the sweeper\'s next round', async (t) => {
  const { app } = await buildApp(t, { ...localCallbackEnv, OUTBOX_SWEEP_INTERVAL_MS: '60000' })
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))
  await emitCallback(app, developerId, callbackBody())
  const [request] = await hooks.until((received) => received.length >= 1, 5000)
  t.ok(request?.verified, 'delivered within seconds, the sweeper\'s round a minute away')
})
