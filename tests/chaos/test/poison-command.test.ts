// Case 7 of issue 12: a command no dispatcher can carry out (the only dispatcher has a wrong
// MASTER_KEY): the message ends FAILED with a reason, and a dispatcher with the right key started
// afterwards does not send it.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { sendMessages, startChaosStack } from './harness/chaos-stack.js'
import { eventually } from './harness/faults.js'
import { allComplete, assertLedger } from './harness/ledger.js'
import { seedDevices, usersOf } from './harness/seed.js'
import { SETTLE_TIMEOUT_MS } from './harness/settings.js'

t.test('a poison command ends FAILED with a reason and is not sent later', async (t) => {
  const stack = await startChaosStack(t, { dispatchers: 0 })
  const wrongKey = await stack.startDispatcher({ MASTER_KEY: randomBytes(32).toString('base64') })
  const devices = await seedDevices(stack, stack.appId, 10, { prefix: 'poison' })
  const scope = { messageIds: await sendMessages(stack, usersOf(devices), 'batch') }
  t.ok(await eventually(() => allComplete(stack, scope), SETTLE_TIMEOUT_MS), 'every message reached a terminal state under the wrong key')
  await wrongKey.stop('SIGKILL')

  await stack.startDispatcher()
  // A message sent after the right dispatcher started, and delivered: whatever it would resend
  // of the poisoned commands had its chance before this one completed.
  const [control] = await seedDevices(stack, stack.appId, 1, { prefix: 'control' })
  const controlScope = { messageIds: await sendMessages(stack, usersOf([control!]), 'single') }
  t.ok(await eventually(() => allComplete(stack, controlScope), SETTLE_TIMEOUT_MS), 'the control message completed')
  await assertLedger(t, stack, [control!], controlScope, { maxDuplicates: 0, bound: 'nothing failed' })

  const ledger = await assertLedger(t, stack, devices, scope, {
    maxDuplicates: 0, bound: 'never sent', reach: 'none', everyDeviceReported: false, unsentReason: /./
  })
  for (const message of ledger.messages) t.match(message.failureReason, /\S/, `message ${message.id} failed with a reason: ${message.failureReason}`)
  t.same(ledger.rows.filter((row) => row.status === 'SENT'), [], 'no device recorded as sent')
})
