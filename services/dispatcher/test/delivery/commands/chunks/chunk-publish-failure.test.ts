import t from 'tap'
import { startDbHarness } from '../../db-harness.js'
import { campaignClaimRows, publishedRows, summaries } from '../../rows.js'

// A chunk publishes its results as they come (result-stream.ts). A publish that fails for good
// (not an outage: the command's own failure) fails the chunk: no summary and no ack (the
// dispatcher redelivers it), and the answers in hand are published again and written onto their
// claims before the lease goes, so the next delivery does not send those devices again.
t.test('a chunk whose results could not be published fails without a summary or an ack; its answer is published again and written on its claim', async (t) => {
  const h = await startDbHarness(t)
  await h.addDevice('a', { userId: 'c0' })
  const [chunk] = await h.storeCampaign([['c0']])
  const holder = h.startHolder('one', chunk!, { publishRefusals: 1 })
  await t.rejects(holder.done, { message: 'device results refused' })
  t.same(holder.settled, [], 'neither acknowledged nor given back: the failure is redelivered')
  t.same(summaries(h), [], 'no chunk summary')
  t.same(publishedRows(h), [['a', 'SENT', null, 1, false, false]], 'the answer, published again')
  t.same(await campaignClaimRows(h, chunk!.campaignId), [['a', 0, 'SENT', null, 1, false]], 'written on its claim by the dispatcher itself (no recorder ran)')
  t.same(h.provider.receipts.map((r) => r.token), ['a'], 'sent once')
})
