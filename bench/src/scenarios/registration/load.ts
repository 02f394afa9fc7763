import { createRequire } from 'node:module'

// autocannon ships no types; only what is used here is described (a local type, not an ambient
// module declaration, so that nothing clashes with another file's).
interface AutocannonRequest { method: string, path: string, headers: Record<string, string>, body?: string }
interface AutocannonResult {
  duration: number
  errors: number
  timeouts: number
  non2xx: number
  '2xx': number
  requests: { average: number, total: number }
  latency: { p50: number, p90: number, p99: number, max: number, average: number }
}
type Autocannon = (options: {
  url: string
  connections: number
  duration: number
  pipelining: number
  requests: Array<AutocannonRequest & { setupRequest: (request: AutocannonRequest) => AutocannonRequest }>
}) => Promise<AutocannonResult>
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon

export interface LoadFigures {
  requestsPerSecond: number
  requests: number
  /** Answered 2xx: each one a device row and an activation row. */
  ok: number
  latencyMs: { p50: number, p90: number, p99: number, max: number }
  non2xx: number
  errors: number
}

let runs = 0

/**
 * `POST /push/device/create` for `seconds` over `connections` kept-alive connections, each
 * request a new iOS token with a new activation (a first registration, as on a fresh install).
 * Every run draws from its own range, so no run updates another's rows.
 */
export async function registrationLoad (url: string, authorization: string, connections: number, seconds: number): Promise<LoadFigures> {
  const run = (++runs).toString(16).padStart(4, '0')
  let next = 0
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    pipelining: 1,
    requests: [{
      method: 'POST',
      path: '/push/device/create',
      headers: { authorization, 'content-type': 'application/json' },
      setupRequest: (request) => {
        const n = (next++).toString(16)
        // 32 bytes of hex, as APNs issues device tokens: this process's pid, the run, the counter.
        const token = `${process.pid.toString(16).padStart(8, '0')}${run}${n.padStart(52, '0')}`
        return {
          ...request,
          body: JSON.stringify({ requestObject: { appId: 1, token, platform: 'ios', activationId: `act-${run}-${n}`, userId: `user-${run}-${n}` } })
        }
      }
    }]
  })
  return {
    requestsPerSecond: Math.round(result['2xx'] / result.duration),
    requests: result.requests.total,
    ok: result['2xx'],
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts
  }
}
