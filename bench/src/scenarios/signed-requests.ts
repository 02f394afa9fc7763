// Requests of the M800-style signed API (MAAIISDK10: HMAC-SHA256 over method, path, date and
// nonce) from one developer, a fixed number in flight, closed loop. Each request is verified as
// every signed route's is (its developer and secret read from PostgreSQL, the signature checked,
// the nonce claimed once). First `GET /api/1.0/debug/echo`: what the signed API costs before any
// route's own work; then `POST /api/1.0/push/<user>@<carrier>`: an in-app message stored for a
// user with no device connected (no push fallback asked), what a developer's send costs.
import { cpus } from 'node:os'
import { createSignedClient } from '@beacon/signing'
import { pipelineAuthorization, startPipeline } from '@beacon/testkit'
import { byName, byPid, measureCpu, measureMachineCpu, microsecondsEach } from '../cpu-usage.js'

export interface SignedRequestsOptions {
  requests: number
  /** Requests in flight at once. */
  inFlight?: number
  warmupRequests?: number
  fromBuild?: boolean
  apiNodeArgs?: string[]
  /** Extra environment of the api. */
  apiEnv?: Record<string, string>
}

const ECHO = '/api/1.0/debug/echo'

export async function runSignedRequests ({ requests, inFlight = 8, warmupRequests = 500, fromBuild = false, apiNodeArgs = [], apiEnv = {} }: SignedRequestsOptions) {
  // The per-developer limit (SIGNED_REQUESTS_PER_MINUTE, 12,000 by default) would answer most of
  // them 429: this measures the requests' way through, not the limit.
  const pipeline = await startPipeline({ dispatchers: 1, fromBuild, apiNodeArgs, apiEnv: { ...apiEnv, SIGNED_REQUESTS_PER_MINUTE: '10000000' } })
  try {
    await pipeline.configureApplication(1)
    const carrier = await fetch(`${pipeline.url}/admin/app/carrier`, {
      method: 'PUT',
      headers: { authorization: pipelineAuthorization, 'content-type': 'application/json' },
      body: JSON.stringify({ requestObject: { appId: 1, carrierDomain: 'carrier.example' } })
    })
    if (!carrier.ok) throw new Error(`setting the carrier domain answered ${carrier.status}`)
    const created = await fetch(`${pipeline.url}/admin/developer/create`, {
      method: 'POST',
      headers: { authorization: pipelineAuthorization, 'content-type': 'application/json' },
      body: JSON.stringify({ requestObject: { name: 'bench', applications: ['1'] } })
    })
    const developer = (await created.json() as { responseObject?: { key: string, secret: string } }).responseObject
    if (!created.ok || developer === undefined) throw new Error(`creating the developer answered ${created.status}`)
    const client = createSignedClient({ baseUrl: pipeline.url, key: developer.key, secret: developer.secret })
    const measure = async (request: (n: number) => Promise<Response>) => {
      const statuses: Record<string, number> = {}
      const send = async (count: number) => {
        let next = 0
        await Promise.all(Array.from({ length: inFlight }, async () => {
          while (next < count) {
            const response = await request(next++).catch(() => undefined)
            await response?.arrayBuffer().catch(() => undefined)
            const status = String(response?.status ?? 'connection')
            statuses[status] = (statuses[status] ?? 0) + 1
          }
        }))
      }
      await send(warmupRequests)
      for (const key of Object.keys(statuses)) statuses[key] = 0
      const cpu = measureCpu({ api: byPid(pipeline.api.child.pid!), postgres: byName('postgres') })
      const machine = measureMachineCpu()
      const started = performance.now()
      await send(requests)
      const seconds = (performance.now() - started) / 1000
      const cpuSeconds = cpu.stop()
      const hostStealPercent = machine.stop().stealPercent
      const ok = statuses['200'] ?? 0
      return {
        ok,
        errors: Object.fromEntries(Object.entries(statuses).filter(([status, n]) => status !== '200' && n > 0)),
        requestsPerSecond: Math.round(ok / seconds),
        cpuSeconds,
        hostStealPercent,
        // Over every request sent, answered 200 or not (the smoke test holds that all are).
        cpuMicrosecondsPerRequest: microsecondsEach(cpuSeconds, requests)
      }
    }
    const echo = await measure(() => client.request('GET', ECHO))
    const push = await measure((n) => client.request('POST', `/api/1.0/push/user-${n % 1000}@carrier.example`, { content: 'Hello from the benchmark' }))
    return { scenario: 'signed requests', cores: cpus().length, requests, inFlight, echo, push }
  } finally {
    await pipeline.close()
  }
}
