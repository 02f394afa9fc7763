// Case 7 of issue 12: a command no dispatcher can carry out (the only dispatcher has a wrong
// MASTER_KEY): the message ends FAILED with a reason, and a dispatcher with the right key started
// afterwards does not send it.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { sendMessages, startChaosStack } from './harness/chaos-stack.js'
import { assertLedger, settle } from './harness/ledger.js'
import { seedDevices, usersOf } from './harness/seed.js'

t.test('a poison command ends FAILED with a reason and is not sent later', async (t) => {
  const stack = await startChaosStack(t, { dispatchers: 0 })
  const wrongKey = await stack.startDispatcher({ MASTER_KEY: randomBytes(32).toString('base64') })
  const devices = await seedDevices(stack, stack.appId, 10, { prefix: 'poison' })
  const sentAt = Date.now()
  const scope = { messageIds: await sendMessages(stack, usersOf(devices), 'batch') }
  await settle(t, stack, scope, 'every message reached a terminal state under the wrong key', { at: sentAt, event: 'the send' })
  await wrongKey.stop('SIGKILL')

  await stack.startDispatcher()
  // A message sent after the right dispatcher started, and delivered: whatever it would resend
  // of the poisoned commands had its chance before this one completed.
  const [control] = await seedDevices(stack, stack.appId, 1, { prefix: 'control' })
  const controlAt = Date.now()
  const controlScope = { messageIds: await sendMessages(stack, usersOf([control!]), 'single') }
  await settle(t, stack, controlScope, 'the control message completed', { at: controlAt, event: 'its send' })
  await assertLedger(t, stack, [control!], controlScope, { maxDuplicates: 0, bound: 'nothing failed' })

  const ledger = await assertLedger(t, stack, devices, scope, {
    maxDuplicates: 0, bound: 'never sent', reach: 'none', everyDeviceReported: false, unsentReason: /./
  })
  for (const message of ledger.messages) t.match(message.failureReason, /\S/, `message ${message.id} failed with a reason: ${message.failureReason}`)
  t.same(ledger.rows.filter((row) => row.status === 'SENT'), [], 'no device recorded as sent')
})
