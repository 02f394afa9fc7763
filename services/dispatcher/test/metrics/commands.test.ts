import t from 'tap'
import { startHarness } from '../harness.js'
import { metricValue } from './metric-values.js'

t.test('a command in hand while the dispatcher stops is counted in hand, then given back', async (t) => {
  const h = await startHarness(t)
  const dispatcher = await h.startDispatcher()
  const [hung] = await h.addDevices('commands-user', 1, 'APNS')
  h.apns.script(hung!, [{ kind: 'slow', delayMs: 60_000 }, 'success'])
  const givenBack = await metricValue('beacon_commands_total', { kind: 'message', outcome: 'given_back' })
  const inHand = await metricValue('beacon_commands_in_hand', { kind: 'message' })

  await h.transport.publishCommand(await h.storeMessage('commands-user'))
  await h.until(() => h.apns.log.length === 1, 'the request on the wire')
  t.equal(await metricValue('beacon_commands_in_hand', { kind: 'message' }), inHand + 1, 'in hand while its request is on the wire')

  await dispatcher.stop(1000)
  t.equal(await metricValue('beacon_commands_in_hand', { kind: 'message' }), inHand, 'no longer in hand')
  t.equal(await metricValue('beacon_commands_total', { kind: 'message', outcome: 'given_back' }), givenBack + 1, 'given back')
})
