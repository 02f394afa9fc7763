import t from 'tap'
import { INVALID_COMMAND, invalidCommandSummary } from '../../src/nats/invalid-commands.js'

const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value))
const none = { sent: 0, pending: 0, failed: 0, total: 0 }

t.test('an invalid command that names its message or chunk fails it; one that names neither has no summary', async (t) => {
  const messageId = '0b6c5f8e-2f0a-4c4e-9b1a-6f0d2c9a7e11'
  t.same(invalidCommandSummary(encode({ kind: 'message', messageId, body: 42 })), { message: { messageId, ios: none, android: none, reason: INVALID_COMMAND } })
  t.same(invalidCommandSummary(encode({ kind: 'campaign-chunk', campaignId: '42', chunk: 3 })), { chunk: { campaignId: '42', chunk: 3, ios: none, android: none, reason: INVALID_COMMAND } })
  for (const value of ['not json', 'null', '"a string"', { kind: 'message', messageId: 'nope' }, { kind: 'campaign-chunk', campaignId: 42, chunk: 3 },
    { kind: 'campaign-chunk', campaignId: '42', chunk: -1 }, { kind: 'campaign-chunk', campaignId: '42' }, { kind: 'other', messageId }, { messageId }]) {
    t.equal(invalidCommandSummary(encode(value)), undefined, JSON.stringify(value))
  }
})

t.test('a campaign id past the bigint column has no summary: the api could never record it', async (t) => {
  t.match(invalidCommandSummary(encode({ kind: 'campaign-chunk', campaignId: '9223372036854775807', chunk: 0 })), { chunk: { campaignId: '9223372036854775807' } }, 'the largest bigint')
  t.equal(invalidCommandSummary(encode({ kind: 'campaign-chunk', campaignId: '9223372036854775808', chunk: 0 })), undefined, 'one past it')
  t.equal(invalidCommandSummary(encode({ kind: 'campaign-chunk', campaignId: '9999999999999999999', chunk: 0 })), undefined)
})
