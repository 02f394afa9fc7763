// DATABASE_GROUP_SPACING_MS in the dispatcher: single messages that come within the spacing of the
// last claim statement share the next one; without a spacing each goes as soon as it can. Rows
// written by one statement share its transaction id (xmin), which the claims keep until an
// outcome is recorded (no recorder runs here).
import t from 'tap'
import { resultsOf, startHarness } from '../../harness.js'

for (const spacing of ['1000', '0']) {
  // guarantee: group-spacing
  t.test(`DATABASE_GROUP_SPACING_MS=${spacing}: ${spacing === '0' ? 'each message claims in its own statement' : 'two messages 20 ms apart, soon after another, claim in one statement'}`, async (t) => {
    const h = await startHarness(t)
    await h.startDispatcher({ DATABASE_GROUP_SPACING_MS: spacing })
    for (const user of ['first', 'second', 'third']) await h.addDevices(user, 1, 'APNS')
    // Stored up front, so that the later two follow the first's claim by as little as can be.
    const first = await h.storeMessage('first')
    const later = [await h.storeMessage('second'), await h.storeMessage('third')]
    await h.transport.publishCommand(first)
    await h.until(() => resultsOf(h.events, first.messageId).summary !== undefined, 'the first summary')
    await h.transport.publishCommand(later[0]!)
    await new Promise((resolve) => setTimeout(resolve, 20))
    await h.transport.publishCommand(later[1]!)
    await h.until(() => later.every((command) => resultsOf(h.events, command.messageId).summary !== undefined), 'both summaries')
    t.same(later.map((command) => resultsOf(h.events, command.messageId).summary?.ios.sent), [1, 1], 'both sent')
    const { rows } = await h.db.pool.query<{ xmin: string }>('SELECT xmin::text FROM message_delivery WHERE message_id = ANY($1::uuid[])', [later.map((command) => command.messageId)])
    t.equal(rows.length, 2, 'one claim each')
    t.equal(new Set(rows.map((row) => row.xmin)).size, spacing === '0' ? 2 : 1, spacing === '0' ? 'two statements' : 'one statement')
  })
}
