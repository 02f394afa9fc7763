import { Agent, request } from 'node:http'

export interface JsonClient {
  post (path: string, body: unknown): Promise<{ status: number, body: any }>
  close (): void
}

/**
 * POSTs JSON over kept-alive connections (at most `sockets` of them): a new TCP connection per
 * request would measure the handshake, and one per `fetch` is what an api client does not do.
 */
export function jsonClient (baseUrl: string, authorization: string, sockets: number): JsonClient {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets })
  const { hostname, port } = new URL(baseUrl)
  return {
    post: (path, body) => new Promise((resolve, reject) => {
      const text = JSON.stringify(body)
      const req = request({
        agent,
        hostname,
        port,
        path,
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }
      }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8')
          let parsed: unknown = raw
          try { parsed = JSON.parse(raw) } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed })
        })
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end(text)
    }),
    close: () => agent.destroy()
  }
}

export interface OpenLoopRun {
  /** From the first scheduled call until the last one was issued. */
  issueSeconds: number
  /** From the first scheduled call until every call had settled. */
  totalSeconds: number
  /** How late the timer issued the latest call: the client's own limit, should stay near 1 ms. */
  maxLagMs: number
}

/**
 * Calls `fire(i, scheduledAt)` for i = 0 … count - 1 at `ratePerSecond`, each at its own time on
 * the clock (`scheduledAt` is its performance.now() slot), whatever the earlier calls are doing:
 * an open loop, so a slow server faces the same offered rate instead of slowing the client down.
 */
export async function openLoop (count: number, ratePerSecond: number, fire: (index: number, scheduledAt: number) => Promise<void>): Promise<OpenLoopRun> {
  const start = performance.now()
  const slot = (index: number) => start + (index * 1000) / ratePerSecond
  const settled: Array<Promise<void>> = []
  let next = 0
  let maxLagMs = 0
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now()
      // Timers fire about once a millisecond: every call whose slot has come goes out now.
      while (next < count && slot(next) <= now) {
        maxLagMs = Math.max(maxLagMs, now - slot(next))
        settled.push(fire(next, slot(next)))
        next++
      }
      if (next < count) setTimeout(tick, Math.max(0, slot(next) - performance.now()))
      else resolve()
    }
    tick()
  })
  const issued = performance.now()
  await Promise.all(settled)
  return { issueSeconds: (issued - start) / 1000, totalSeconds: (performance.now() - start) / 1000, maxLagMs }
}

/** p50 / p90 / p99 / max (nearest rank), rounded to 0.1 ms; null for no samples. */
export function percentiles (samples: number[]) {
  if (samples.length === 0) return null
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! * 10) / 10
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) }
}
