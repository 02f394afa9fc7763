// Pairing the scenario's requests with the provider mocks' arrivals: in order per token, and what
// is missing or extra counted rather than hidden in the latencies.
import t from 'tap'
import { matchDeliveries, type Sample, type Target } from '../../../src/scenarios/single-messages/deliveries.js'

const target = (token: string): Target => ({ userId: `user-${token}`, token, platform: 'APNS' })
const sample = (token: string, scheduledEpochMs: number): Sample => ({ target: target(token), scheduledEpochMs, roundTripMs: 1, status: 200, sent: true })

t.test('each arrival is paired with the request of the same rank for its token', async (t) => {
  // Requests for token a at 100 and 200, listed out of order; arrivals at 130 and 260.
  const arrivals: Record<string, Array<{ at: number }>> = { a: [{ at: 130 }, { at: 260 }], b: [{ at: 1010 }] }
  const result = matchDeliveries([sample('a', 200), sample('b', 1000), sample('a', 100)], ({ token }) => arrivals[token] ?? [])
  t.same(result.latencies.sort((x, y) => x - y), [10, 30, 60])
  t.equal(result.missing, 0)
  t.equal(result.extra, 0)
})

t.test('a request without an arrival is missing, an arrival without a request extra', async (t) => {
  const arrivals: Record<string, Array<{ at: number }>> = { a: [{ at: 150 }], b: [{ at: 1005 }, { at: 1006 }] }
  const result = matchDeliveries([sample('a', 100), sample('a', 200), sample('b', 1000)], ({ token }) => arrivals[token] ?? [])
  t.same(result.latencies.sort((x, y) => x - y), [5, 50], 'only the paired ones have a latency')
  t.equal(result.missing, 1, 'the second request for a')
  t.equal(result.extra, 1, 'the second arrival for b')
})
