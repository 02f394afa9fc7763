import type { Db } from '@beacon/db'
import t from 'tap'
import { storeInAppMessage } from '../../../src/domain/in-app/messages.js'

const message = { userId: 'alice', applicationId: 1, developerId: 1, content: 'hello' }
const timings = { inAppAckTimeoutMs: 5000, inAppMessageTtlSeconds: 3600 }

// The store is run again only when its answer may have been lost after it was sent. A statement
// that never left (no connection within DATABASE_CONNECT_TIMEOUT_MS: every connection busy, or
// none could be made) committed nothing: run again at once, each push under an exhausted pool
// waited the connect timeout twice, and queued a second wait for a connection, before its 503.
t.test('a store that was never sent is not run again', async (t) => {
  for (const failure of [new Error('timeout exceeded when trying to connect'), Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })]) {
    let runs = 0
    const db = { pool: { query: async () => { runs++; throw failure } } } as unknown as Db
    await t.rejects(storeInAppMessage(db, message, timings), failure, `${failure.message}: that failure is the answer`)
    t.equal(runs, 1, `${failure.message}: one run`)
  }
  // The lost answer is still run again (push.test.ts checks the stored message is the answer).
  let runs = 0
  const lost = new Error('Connection terminated unexpectedly')
  const db = { pool: { query: async () => { runs++; throw lost } } } as unknown as Db
  await t.rejects(storeInAppMessage(db, message, timings), lost)
  t.equal(runs, 2, 'an answer lost after sending: run once more')
})
