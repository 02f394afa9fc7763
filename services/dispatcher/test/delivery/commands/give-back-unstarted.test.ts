import { pino } from 'pino'
import t from 'tap'
import type { Command } from '@beacon/contracts'
import type { CommandDelivery } from '@beacon/transport'
import { giveBackUnstarted } from '../../../src/delivery/commands/handle-command.js'

const chunk: Command = { kind: 'campaign-chunk', campaignId: '7', chunk: 0, applicationId: 1, afterUserId: null, lastUserId: 'u', body: { title: 'c' } }
const message: Command = { kind: 'message', messageId: '00000000-0000-4000-8000-000000000001', applicationId: 1, userId: 'u', personal: false, silent: false, priority: 'HIGH', body: { title: 'm' } }

const delivery = (command: Command, handBack: () => Promise<void>) => {
  const calls: string[] = []
  const value = {
    command,
    deliveryCount: 1,
    firstDelivery: true,
    lastDelivery: false,
    working: () => {},
    ack: async () => { calls.push('ack') },
    retry: (delayMs?: number) => { calls.push(`retry(${delayMs})`) },
    handBack: async () => { calls.push('handBack'); await handBack() }
  } satisfies CommandDelivery
  return { calls, value }
}

// A command a pull handed over after the dispatcher stopped taking commands (dispatcher.ts passes
// this as the transport's giveBackAfterStop): given back as handle-command's handBack gives back
// one in hand, a chunk as a copy keeping its delivery count, a single message with a redelivery.
// guarantee: chunk-hand-back-after-stop
t.test('given back unstarted: a chunk as a copy (a redelivery if NATS refuses the copy), a single message with a redelivery', async (t) => {
  const lines: Array<{ msg: string }> = []
  const log = pino({ level: 'warn' }, { write: (line: string) => { lines.push(JSON.parse(line)) } })
  const copied = delivery(chunk, async () => {})
  await giveBackUnstarted(copied.value, log)
  t.same(copied.calls, ['handBack'], 'a chunk: handed back as a copy, nothing else')

  const refused = delivery(chunk, async () => { throw new Error('no responders') })
  await giveBackUnstarted(refused.value, log)
  t.same(refused.calls, ['handBack', 'retry(0)'], 'a chunk whose copy NATS refused: a redelivery')
  t.match(lines, [{ msg: 'the chunk could not be queued again as a copy; given back with a redelivery' }])

  const single = delivery(message, async () => {})
  await giveBackUnstarted(single.value, log)
  t.same(single.calls, ['retry(0)'], 'a single message: a redelivery, as at any stop')
})
