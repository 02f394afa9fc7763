import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { dropRunDatabases, testRunId } from './database.js'
import { natsRunStreamPrefix, testNatsUrl } from './nats.js'

/**
 * Drops every database and deletes every NATS stream of run `runId`: what its tests, pipelines
 * and benchmarks created, crashed ones included. scripts/test.mjs calls it at the end of a run,
 * the benchmarks at the end of theirs.
 */
export async function cleanUpRun (runId = testRunId): Promise<{ databases: number, streams: number }> {
  const databases = await dropRunDatabases(runId)
  const nc = await connect({ servers: testNatsUrl })
  let streams = 0
  try {
    const jsm = await jetstreamManager(nc)
    for await (const name of jsm.streams.names()) {
      if (!name.startsWith(natsRunStreamPrefix(runId))) continue
      await jsm.streams.delete(name)
      streams++
    }
  } finally {
    await nc.close()
  }
  return { databases, streams }
}
