import type { Db } from '@beacon/db'
import { createReadinessProbe, type ReadinessCheck } from '@beacon/metrics'
import { TransportError, TransportErrorCode, type Transport } from '@beacon/transport'
import t from 'tap'
import { readinessChecks } from '../src/readiness.js'

/** The readiness /readyz would report, asked afresh. */
const checkReadiness = (checks: ReadinessCheck[]) => createReadinessProbe(checks, { reuseMs: 0 }).check()

const database = (answers: boolean) => ({ pool: { query: async () => { if (!answers) throw new Error('ECONNREFUSED') } } }) as unknown as Db
const broker = (failure?: TransportErrorCode) => {
  let asked = 0
  const transport = {
    checkReady: async () => {
      asked++
      if (failure !== undefined) throw new TransportError(failure, 'not ready')
    }
  } as Partial<Transport> as Transport
  return { transport, asked: () => asked }
}

t.test('a dispatcher is ready when its database and the broker answer: the failing part is named', async (t) => {
  const ready = broker()
  t.same(await checkReadiness(readinessChecks(database(true), ready.transport)), { ready: true, failing: [] })
  t.equal(ready.asked(), 1, 'nats and streams are one question to the broker')
  t.same(await checkReadiness(readinessChecks(database(false), broker().transport)), { ready: false, failing: ['database'] })
  t.same(await checkReadiness(readinessChecks(database(true), broker(TransportErrorCode.UNAVAILABLE).transport)), { ready: false, failing: ['nats'] })
  t.same(await checkReadiness(readinessChecks(database(true), broker(TransportErrorCode.STREAM_MISSING).transport)), { ready: false, failing: ['streams'] })
})
