import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { buildApp, localCallbackEnv } from '../../../helper.js'
import { callbackBody, createDeveloper, emitCallback, receiver } from './fixtures.js'

/** The record of a callback once it reads `status` (it is written just after the attempt). */
async function recordWhen (app: FastifyInstance, eventId: string, status: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const record = await app.db.callbackDelivery.findFirst({ where: { eventId } })
    if (record?.status === status) return record
    if (Date.now() > deadline) throw new Error(`callback ${eventId} is ${record?.status ?? 'not recorded'}, not ${status}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

// guarantee: callback-recorded
t.test('each attempt is recorded: delivered after a failed attempt, given up after the last one', async (t) => {
  const { app } = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '50', CALLBACK_MAX_ATTEMPTS: '2' })
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))

  hooks.failNext(1, 500)
  const delivered = callbackBody('push.sent')
  await emitCallback(app, developerId, delivered)
  t.match(await recordWhen(app, delivered.eventId, 'DELIVERED'), {
    developerId, event: 'push.sent', requestId: delivered.requestId, attempts: 2, lastStatus: 200, lastError: null, lastAttemptAt: Date, completedAt: Date
  })

  hooks.failNext(2, 503)
  const givenUp = callbackBody('push.failed')
  await emitCallback(app, developerId, givenUp)
  t.match(await recordWhen(app, givenUp.eventId, 'FAILED'), { attempts: 2, lastStatus: 503, lastError: null, completedAt: Date })
  t.same(hooks.received().map((r) => r.status), [500, 200, 503, 503], 'the attempts the records count')
})

// guarantee: callback-recorded
t.test('a callback of a disabled developer is recorded FAILED without an attempt', async (t) => {
  const { app } = await buildApp(t, localCallbackEnv)
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'), { enabled: false })
  const body = callbackBody()
  await emitCallback(app, developerId, body)
  t.match(await recordWhen(app, body.eventId, 'FAILED'), { attempts: 0, lastStatus: null, lastError: 'DeveloperDisabled', lastAttemptAt: null, completedAt: Date })
  t.same(hooks.received(), [], 'nothing was sent')
})
