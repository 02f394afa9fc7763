import t from 'tap'
import { DeveloperShares } from '../../../src/domain/callbacks/developer-shares.js'

t.test('a developer holds at most its share; another developer is unaffected', async (t) => {
  const shares = new DeveloperShares(2)
  t.same([shares.take(1), shares.take(1), shares.take(1)], [true, true, false], 'the third of developer 1 finds the share full')
  t.same([shares.take(2), shares.take(2)], [true, true], 'developer 2 has its own')
  shares.release(1, 100)
  t.equal(shares.inFlight(1), 1)
  t.equal(shares.take(1), true, 'a sender given back is taken again')
})

t.test('callbacks put off are spread one mean attempt time ÷ share apart, from the last one put off', async (t) => {
  const shares = new DeveloperShares(4)
  const now = 1_000_000
  for (let i = 0; i < 4; i++) shares.take(7)
  // Before any attempt has ended the estimate is a second: 250 ms apart.
  t.same([shares.putOff(7, now), shares.putOff(7, now), shares.putOff(7, now + 100)], [250, 500, 650])
  // Attempts that take 10 s (a server that never answers, CALLBACK_TIMEOUT_MS) move the mean up.
  for (let i = 0; i < 20; i++) { shares.release(7, 10_000, now); shares.take(7) }
  const gap = shares.putOff(7, now + 750) - shares.putOff(7, now + 750)
  t.ok(gap <= -2000 && gap >= -2500, `a backlog behind a hanging server comes back ~2.5 s apart (${-gap} ms)`)
})

t.test('a developer with nothing in flight and nothing put off is forgotten', async (t) => {
  const shares = new DeveloperShares(1)
  shares.take(3)
  shares.release(3, 5, 0)
  t.equal(shares.inFlight(3), 0)
  t.equal(shares.putOff(3), 0, 'no share is kept: nothing to wait for')
})
