// The campaign scenario at a small size, warmed up as the full run does: the scored campaign is
// the second one, and the provider mocks' counts start at it (runCampaign throws when a provider
// received more requests than the scored campaign recorded attempts, as the warm-up's would be).
import { cleanUpRun } from '@beacon/testkit'
import t from 'tap'
import { runCampaign } from '../../src/scenarios/campaign.js'

// Under `npm test` the runner cleans the shared run up at its end; alone, this process's run is its own.
if (process.env.BEACON_TEST_RUN === undefined) t.teardown(cleanUpRun)

// guarantee: bench-campaign-warm-up
t.test('a campaign scored after an unscored warm-up campaign of the first users', async (t) => {
  const result = await runCampaign({ users: 600, dispatchers: 1, warmupUsers: 250 })
  t.equal(result.users, 600)
  t.equal(result.warmup.users, 250)
  t.equal(result.warmup.sent, 250, 'the warm-up campaign reached every one of its users')
  t.ok(result.warmup.seconds > 0, 'the warm-up campaign ran before the scored one')
  t.equal(result.sentAgainAfterTimeout, 0, "the mocks counted the scored campaign's requests only")
  t.ok(result.cpuMicrosecondsPerNotification.dispatcher1! > 0, 'CPU measured')
  t.ok(result.hostStealPercent >= 0 && result.hostStealPercent <= 100, `the host's steal read: ${result.hostStealPercent}%`)
})

t.test('a warm-up size that is not a whole number from 0 is refused before anything starts', async (t) => {
  await t.rejects(runCampaign({ users: 600, dispatchers: 1, warmupUsers: Number.NaN }), /warm-up users: a whole number from 0/)
  await t.rejects(runCampaign({ users: 600, dispatchers: 1, warmupUsers: -1 }), /warm-up users/)
})
