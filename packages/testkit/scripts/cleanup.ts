// Drops every database and NATS stream of BEACON_TEST_RUN (scripts/test.mjs runs it at the end).
import { cleanUpRun, testRunId } from '../src/index.js'

const { databases, streams } = await cleanUpRun(testRunId)
console.log(`# dropped ${databases} test database(s) and ${streams} NATS stream(s) of run ${testRunId}`)
