// Drops every database and NATS stream of BEACON_TEST_RUN (scripts/test.mjs runs it at the end).
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { dropRunDatabases, natsRunStreamPrefix, testNatsUrl, testRunId } from '../src/index.js'

const dropped = await dropRunDatabases(testRunId)
const nc = await connect({ servers: testNatsUrl })
const jsm = await jetstreamManager(nc)
let streams = 0
for await (const name of jsm.streams.names()) {
  if (!name.startsWith(natsRunStreamPrefix(testRunId))) continue
  await jsm.streams.delete(name)
  streams++
}
await nc.close()
console.log(`# dropped ${dropped} test database(s) and ${streams} NATS stream(s) of run ${testRunId}`)
