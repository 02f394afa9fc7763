import t from 'tap'
import { runLoopbackHop } from '../../src/scenarios/loopback-hop.js'

t.test('the loopback hop measures both sides of a few hundred writes', async (t) => {
  const hop = await runLoopbackHop({ writes: 300 })
  t.equal(hop.writes, 300)
  // Writes a millisecond apart mostly arrive one per read; some may travel together.
  t.ok(hop.reads > 100 && hop.reads <= 300, `the reader woke for the writes (${hop.reads} reads)`)
  t.ok(hop.writerMicrosecondsPerWrite > 0 && hop.timerOnlyMicrosecondsPerTick > 0 && hop.readerMicrosecondsPerRead > 0, JSON.stringify(hop))
})
