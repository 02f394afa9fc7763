// The warm-ups' sizes (warm-up.ts), and a warm-up that is no size refused before anything starts.
import t from 'tap'
import { runSingleMessages } from '../../src/scenarios/single-messages.js'
import { campaignWarmupUsers, warmupCount } from '../../src/scenarios/warm-up.js'

t.test('the warm-up: a twentieth of the scored run, 2,000 to 20,000; a campaign\'s, that per dispatcher', async (t) => {
  t.equal(warmupCount(100_000), 5000)
  t.equal(warmupCount(10_000), 2000)
  t.equal(warmupCount(1_000_000), 20_000)
  t.equal(campaignWarmupUsers(100_000, 1), 5000)
  t.equal(campaignWarmupUsers(100_000, 4), 20_000, 'a pass per dispatcher')
  t.equal(campaignWarmupUsers(3000, 2), 3000, 'never more than the campaign')
})

t.test('single messages refuse warm-up seconds that are no number from 0', async (t) => {
  for (const warmupSeconds of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
    await t.rejects(runSingleMessages({ seconds: 1, warmupSeconds }), /warm-up seconds: a number from 0/, String(warmupSeconds))
  }
})
