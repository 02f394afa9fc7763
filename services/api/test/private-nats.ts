import { startPrivateNats as startOwnedNats, type PrivateNats } from '@beacon/testkit'
import type { Test } from 'tap'

/** The testkit's private nats-server (to stop and start again), closed when the test ends. */
export async function startPrivateNats (t: Test): Promise<PrivateNats> {
  const nats = await startOwnedNats()
  t.teardown(() => nats.close())
  return nats
}
