import { headers } from '@nats-io/transport-node'
import t from 'tap'
import { DELIVERIES_SPENT_HEADER, deliveriesSpent, handedBackCopy } from '../../src/nats/handed-back.js'

t.test('the deliveries a handed-back copy spent: a count as the copy writes it, nothing else', async (t) => {
  const copy = handedBackCopy('campaign:7:3', 42, 2, 5)
  t.equal(deliveriesSpent(copy.headers), 4, 'the delivery handed back is not spent')
  t.equal(copy.msgID, handedBackCopy('campaign:7:3', 42, 2, 5).msgID, 'one hand-back, one id, however often its publish is tried')
  t.not(copy.msgID, handedBackCopy('campaign:7:3', 42, 3, 5).msgID, 'another delivery of the message, another copy')
  t.equal(deliveriesSpent(undefined), undefined, 'a command as published')
  t.equal(deliveriesSpent(headers()), undefined, 'a message with other headers')
  t.equal(deliveriesSpent(handedBackCopy('campaign:7:3', 42, 2, 20_000).headers), 9999, 'written capped, so always read back')
  // Not a count handedBackCopy writes: still a copy (the transport puts it on its last delivery).
  for (const [value, spent] of [['0', 0], ['999', 999], ['9999', 9999], ['1e3', 'unreadable'], ['0x10', 'unreadable'], ['-1', 'unreadable'], ['+2', 'unreadable'], ['01', 'unreadable'], ['10000', 'unreadable'], ['', 'unreadable']] as const) {
    const given = headers()
    given.set(DELIVERIES_SPENT_HEADER, value)
    t.equal(deliveriesSpent(given), spent, JSON.stringify(value))
  }
})
