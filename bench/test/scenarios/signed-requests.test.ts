// The signed-requests scenario at a small size: every request verified and answered 200 (a bench
// whose requests were refused would measure the refusal), its figures counted.
import { cleanUpRun } from '@beacon/testkit'
import t from 'tap'
import { runSignedRequests } from '../../src/scenarios/signed-requests.js'

t.teardown(cleanUpRun)

t.test('signed requests: every one verified and echoed, the api\'s CPU per request measured', async (t) => {
  const result = await runSignedRequests({ requests: 300, warmupRequests: 50, inFlight: 4 })
  t.equal(result.ok, 300, 'each request answered 200')
  t.same(result.errors, {})
  t.ok(result.requestsPerSecond > 0)
  t.ok((result.cpuMicrosecondsPerRequest.api ?? 0) > 0, 'the api spent CPU on them')
})
