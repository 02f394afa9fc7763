import t from 'tap'
import { startDbHarness } from '../../db-harness.js'
import { publishedRows, summaries } from '../../rows.js'

// A chunk's steps are held through an outage (CommandRun.hold), as a message's are
// (messages/message-outages.test.ts): failed instead, the chunk would spend a delivery on it.

// guarantee: outage-holds-command
t.test('a chunk whose credentials cannot be read (the database shutting down) is held and reads them again: acknowledged, every device once', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'u', platform: 'APNS' })
  await h.addDevice('b', { userId: 'v', platform: 'FCM' })
  h.provider.script('a', { kind: 'sent' })
  h.provider.script('b', { kind: 'sent' })
  const [command] = await h.storeCampaign([['u', 'v']])
  const holder = h.startHolder('one', command!, { credentialOutages: 2 })
  await holder.done
  t.same(holder.settled, ['ack'], 'finished on this delivery, not failed')
  t.same(h.provider.receipts.map((r) => r.token).sort(), ['a', 'b'], 'each sent once')
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false], ['b', 'SENT', null, 1, false, false]])
  t.equal(summaries(h).length, 1, 'one summary')
})
