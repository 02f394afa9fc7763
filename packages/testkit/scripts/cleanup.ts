// Drops every database, role and NATS stream of BEACON_TEST_RUN (scripts/test.mjs runs it at the end).
import { cleanUpRun, testRunId } from '../src/index.js'

const { databases, roles, streams } = await cleanUpRun(testRunId)
console.log(`# dropped ${databases} test database(s), ${roles} role(s) and ${streams} NATS stream(s) of run ${testRunId}`)
