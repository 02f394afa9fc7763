// Case 2 of issue 12: a dispatcher SIGKILLed with single messages and a batch in flight.
import t from 'tap'
import { sendMessages, startChaosStack } from './harness/chaos-stack.js'
import { inFlight, receivedBetween, whenReceived } from './harness/faults.js'
import { PROVIDER_DELAY_MS } from './harness/settings.js'
import { assertLedger, settle, unansweredClaims } from './harness/ledger.js'
import { seedDevices, usersOf } from './harness/seed.js'

// guarantee: redelivery-sends-unanswered, redelivery-duplicates-bounded
t.test('a dispatcher killed with single messages and a batch in flight: every device reached, duplicates within what was in flight', async (t) => {
  const stack = await startChaosStack(t, { dispatchers: 1 })
  // Two devices per user (iOS and Android): a message is more than one request.
  const singles = await seedDevices(stack, stack.appId, 80, { prefix: 'single', perUser: 2 })
  const batched = await seedDevices(stack, stack.appId, 120, { prefix: 'batch', perUser: 2 })
  // The kill comes while messages are still being sent: some in flight, some queued, some not yet sent.
  const sending = Promise.all([
    sendMessages(stack, usersOf(batched), 'batch'),
    sendMessages(stack, usersOf(singles), 'single')
  ])
  // Started now, the second dispatcher finds the first holding commands when it dies.
  const second = stack.startDispatcher()
  await whenReceived(stack, 40)
  const window = inFlight(stack)
  const faultAt = Date.now()
  t.equal(await stack.dispatchers[0]!.stop('SIGKILL'), 'SIGKILL', `killed with ${window} requests in flight`)
  const exitedAt = Date.now()
  const unansweredAtKill = await unansweredClaims(stack, [...singles, ...batched])
  t.ok(window > 0, 'requests were in flight at the kill')
  const [batchIds, singleIds] = await sending
  await second

  const scope = { messageIds: [...singleIds, ...batchIds] }
  await settle(t, stack, scope, 'every message completed', { at: faultAt, event: 'the kill' })
  // What the dead dispatcher left unanswered: by the mock's clock (printed only: it stamps late in
  // this busy process) and, asserted, exactly: the claims without a recorded answer at the kill.
  t.comment(`requests received within the provider delay (+150 ms) before the kill: ${receivedBetween(stack, exitedAt - PROVIDER_DELAY_MS - 150, exitedAt + 200)}`)
  await assertLedger(t, stack, [...singles, ...batched], scope, {
    maxDuplicates: unansweredAtKill.size,
    bound: 'claims without a recorded answer at the kill',
    mayRepeat: { devices: unansweredAtKill, at: 'at the kill' }
  })
})
