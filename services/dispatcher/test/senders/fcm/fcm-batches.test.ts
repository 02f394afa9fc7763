import type { Message, Messaging, SendResponse } from 'firebase-admin/messaging'
import t from 'tap'
import { createFcmBatches } from '../../../src/senders/fcm/fcm-batches.js'
import type { SendOutcome } from '../../../src/senders/sender.js'

/** A Messaging whose sendEach calls wait until the test answers them. */
function heldMessaging () {
  const calls: Array<{ messages: Message[], answer: (responses: SendResponse[]) => void, fail: (error: unknown) => void }> = []
  let inFlight = 0
  let mostInFlight = 0
  const messaging = {
    sendEach: (messages: Message[]) => new Promise((resolve, reject) => {
      inFlight += messages.length
      mostInFlight = Math.max(mostInFlight, inFlight)
      const done = () => { inFlight -= messages.length }
      calls.push({ messages, answer: (responses) => { done(); resolve({ responses, successCount: 0, failureCount: 0 }) }, fail: (error) => { done(); reject(error) } })
    })
  } as unknown as Messaging
  return { messaging, calls, mostInFlight: () => mostInFlight }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))
const ok = (messages: Message[]): SendResponse[] => messages.map(() => ({ success: true, messageId: 'm' }))

function batches (concurrency: number) {
  return createFcmBatches({
    concurrency,
    connector: null,
    outcomeOf: (_token, response) => response.success ? { kind: 'sent' } : { kind: 'retry', reason: String((response.error as { code?: string } | undefined)?.code) },
    batchFailed: () => ({ kind: 'retry', reason: 'ConnectionError' })
  })
}

function sendAll (sender: ReturnType<typeof batches>, messaging: Messaging, count: number) {
  return Promise.all(Array.from({ length: count }, (_, i) => new Promise<SendOutcome>((settle) => {
    sender.send(messaging, { message: { token: `t${i}` }, token: `t${i}`, settle })
  })))
}

t.test('sends of one turn go out together; never more streams in flight than FCM_CONCURRENCY', async (t) => {
  const { messaging, calls, mostInFlight } = heldMessaging()
  const all = sendAll(batches(3), messaging, 7)
  await turn()
  t.same(calls.map((call) => call.messages.length), [3], 'a batch as large as the free streams')
  calls[0]!.answer(ok(calls[0]!.messages))
  await turn(); await turn()
  t.same(calls.map((call) => call.messages.length), [3, 3])
  calls[1]!.answer(ok(calls[1]!.messages))
  await turn(); await turn()
  calls[2]!.answer(ok(calls[2]!.messages))
  t.same((await all).map((outcome) => outcome.kind), Array(7).fill('sent'))
  t.same(calls.map((call) => call.messages.map((message) => (message as { token: string }).token)).flat(), ['t0', 't1', 't2', 't3', 't4', 't5', 't6'], 'in order')
  t.equal(mostInFlight(), 3)
})

t.test("at most 500 messages per sendEach (firebase-admin's limit)", async (t) => {
  const { messaging, calls } = heldMessaging()
  const all = sendAll(batches(2000), messaging, 1200)
  await turn()
  t.same(calls.map((call) => call.messages.length), [500, 500, 200])
  for (const call of calls) call.answer(ok(call.messages))
  t.equal((await all).length, 1200)
})

t.test("a session error: each device gets its request's own answer when firebase-admin has them, else the batch's failure", async (t) => {
  const { messaging, calls } = heldMessaging()
  const sender = batches(10)
  const first = sendAll(sender, messaging, 2)
  await turn()
  const pendingBatchResponse = Promise.resolve({ responses: [{ success: true }, { success: false, error: { code: 'app/network-error' } }] })
  calls[0]!.fail(Object.assign(new Error('Session error while making requests'), { pendingBatchResponse }))
  t.match(await first, [{ kind: 'sent' }, { kind: 'retry', reason: 'app/network-error' }])
  const second = sendAll(sender, messaging, 2)
  await turn()
  calls[1]!.fail(new Error('GOAWAY'))
  t.match(await second, [{ kind: 'retry', reason: 'ConnectionError' }, { kind: 'retry', reason: 'ConnectionError' }])
})
