import t from 'tap'
import { callbacksSettled } from '../callbacks-settled.js'
import { buildApp, localCallbackEnv } from '../helper.js'
import { callbackBody, createDeveloper, emitCallback, receiver } from '../plugins/app/callbacks/fixtures.js'
import { metricValue } from './scrape.js'

const counted = async (app: Parameters<typeof metricValue>[0]) => ({
  sent: await metricValue(app, 'beacon_callbacks_total', { outcome: 'sent' }),
  retried: await metricValue(app, 'beacon_callbacks_total', { outcome: 'retried' }),
  given_up: await metricValue(app, 'beacon_callbacks_total', { outcome: 'given_up' })
})
const difference = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([outcome, value]) => [outcome, value - (before[outcome] ?? 0)]))

t.test('callbacks are counted as sent, retried and given up', async (t) => {
  const { app, config } = await buildApp(t, { ...localCallbackEnv, CALLBACK_BASE_DELAY_MS: '50', CALLBACK_MAX_ATTEMPTS: '3' })
  const hooks = await receiver(t)
  const developerId = await createDeveloper(app, hooks.url('/cb'))

  const before = await counted(app)
  hooks.failNext(1, 500)
  await emitCallback(app, developerId, callbackBody())
  await hooks.until((r) => r.length >= 2)
  await callbacksSettled(app, config)
  t.strictSame(difference(await counted(app), before), { sent: 1, retried: 1, given_up: 0 }, 'a 500, then accepted')

  const middle = await counted(app)
  hooks.failNext(3, 503)
  await emitCallback(app, developerId, callbackBody())
  await hooks.until((r) => r.length >= 5)
  await callbacksSettled(app, config)
  t.strictSame(difference(await counted(app), middle), { sent: 0, retried: 2, given_up: 1 }, 'three failures: two retries, then given up')
})
