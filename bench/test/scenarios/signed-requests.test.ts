// The signed-requests scenario at a small size: every request verified and answered 200 (a bench
// whose requests were refused would measure the refusal), its figures counted.
import { cleanUpRun } from '@beacon/testkit'
import t from 'tap'
import { runSignedRequests } from '../../src/scenarios/signed-requests.js'

// Under `npm test` every test process shares one run id, and cleaning the run up would drop the
// databases of the tests still running beside this one: the runner cleans up at its end. Alone,
// this process's run is its own.
if (process.env.BEACON_TEST_RUN === undefined) t.teardown(cleanUpRun)

t.test('signed requests: every echo and every push answered 200, the api\'s CPU per request measured', async (t) => {
  const result = await runSignedRequests({ requests: 300, warmupRequests: 50, inFlight: 4 })
  for (const part of [result.echo, result.push]) {
    t.equal(part.ok, 300, 'each request answered 200')
    t.same(part.errors, {})
    t.ok(part.requestsPerSecond > 0)
    t.ok((part.cpuMicrosecondsPerRequest.api ?? 0) > 0, 'the api spent CPU on them')
    t.ok(part.hostStealPercent >= 0 && part.hostStealPercent <= 100, `the host's steal read: ${part.hostStealPercent}%`)
  }
})
