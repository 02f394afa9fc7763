import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { dropRunDatabases, testRunId } from './database.js'
import { natsRunStreamPrefix, testNatsUrl } from './nats.js'
import { dropRunRoles } from './roles.js'

/**
 * Drops every database and role and deletes every NATS stream of run `runId`: what its tests, pipelines
 * and benchmarks created, crashed ones included. scripts/test.mjs calls it at the end of a run,
 * the benchmarks at the end of theirs.
 */
export async function cleanUpRun (runId = testRunId): Promise<{ databases: number, roles: number, streams: number }> {
  // Each part runs whatever an earlier one met: a role still owning something elsewhere must not
  // leave the run's streams behind. What failed is thrown at the end, together.
  const failures: unknown[] = []
  const attempt = async (part: (runId: string) => Promise<number>) => part(runId).catch((error: unknown) => { failures.push(error); return 0 })
  const databases = await attempt(dropRunDatabases)
  const roles = await attempt(dropRunRoles)
  const streams = await attempt(deleteRunStreams)
  if (failures.length > 0) throw new AggregateError(failures, `run ${runId} was not cleaned up in full: ${failures.map((f) => (f as Error).message).join('; ')}`)
  return { databases, roles, streams }
}

async function deleteRunStreams (runId: string): Promise<number> {
  const nc = await connect({ servers: testNatsUrl })
  let streams = 0
  try {
    const jsm = await jetstreamManager(nc)
    // Listed in full first: the list comes in pages by offset, and deleting while paging shifts
    // the streams after each deletion forward, so every page skipped some (the server's pages
    // hold 1,024 names; a run of ~1,100 streams left 20–100 behind).
    const names: string[] = []
    for await (const name of jsm.streams.names()) if (name.startsWith(natsRunStreamPrefix(runId))) names.push(name)
    for (const name of names) {
      await jsm.streams.delete(name)
      streams++
    }
  } finally {
    await nc.close()
  }
  return streams
}
