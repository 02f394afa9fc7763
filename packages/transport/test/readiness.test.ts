import t from 'tap'
import { brokerReadiness, TransportError, TransportErrorCode } from '../src/index.js'

// The failing parts, as a readiness probe runs the checks: at once.
async function failing (failure?: Error) {
  let asked = 0
  const checks = brokerReadiness({ checkReady: async () => { asked++; if (failure !== undefined) throw failure } })
  const results = await Promise.all(checks.map(async ({ part, check }) => { try { await check(); return undefined } catch { return part } }))
  return { failing: results.filter((part) => part !== undefined), asked }
}

t.test('the broker parts: `nats` when not reached, `streams` when a stream is missing, one checkReady per probe', async (t) => {
  t.same(await failing(), { failing: [], asked: 1 }, 'both parts share one question to the broker')
  t.same((await failing(new TransportError(TransportErrorCode.UNAVAILABLE, 'not reached'))).failing, ['nats'])
  t.same((await failing(new Error('TIMEOUT'))).failing, ['nats'], 'anything else is the broker')
  t.same((await failing(new TransportError(TransportErrorCode.STREAM_MISSING, 'gone'))).failing, ['streams'])
})
