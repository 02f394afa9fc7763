import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ReadinessProbe } from './readiness-probe.js'
import { scrape } from './registry.js'

export interface OpsServerOptions {
  host: string
  /** 0 picks a free port (tests); `port` on the result says which. */
  port: number
  readiness: ReadinessProbe
}

export interface OpsServer {
  port: number
  close: () => Promise<void>
}

/**
 * A listener of its own for what operators and orchestrators ask, apart from the API:
 * `GET /metrics` (Prometheus), `GET /healthz` (the process answers) and `GET /readyz` (every part
 * answers, else 503 naming the failing parts). Nothing else; no credentials, so bind it where
 * only the scraper and the kubelet reach. Plain node:http: three fixed routes need no framework,
 * and the dispatcher has none.
 */
export async function startOpsServer (options: OpsServerOptions): Promise<OpsServer> {
  // A client trickling its headers is cut after 5 s, checked every second (Node's default check
  // runs every 30 s, and these options cannot change it once the server exists). No cap on
  // connections: a cap would let anyone who reaches the port lock the kubelet's probes out.
  const server: Server = createServer({ headersTimeout: 5000, requestTimeout: 5000, connectionsCheckingInterval: 1000 }, (request, response) => {
    const path = (request.url ?? '/').split('?')[0]
    const send = (statusCode: number, contentType: string, body: string) => {
      response.writeHead(statusCode, { 'content-type': contentType, 'cache-control': 'no-store' })
      response.end(request.method === 'HEAD' ? undefined : body)
    }
    const json = (statusCode: number, body: unknown) => send(statusCode, 'application/json; charset=utf-8', JSON.stringify(body))
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD')
      json(405, { status: 'method not allowed' })
      return
    }
    const answer = async () => {
      if (path === '/metrics') {
        const { body, contentType } = await scrape()
        send(200, contentType, body)
      } else if (path === '/healthz') {
        json(200, { status: 'ok' })
      } else if (path === '/readyz') {
        const { statusCode, body } = await options.readiness.answer()
        json(statusCode, body)
      } else {
        json(404, { status: 'not found' })
      }
    }
    answer().catch(() => { if (!response.headersSent) json(500, { status: 'error' }) })
  })
  // Probes every few seconds: keep-alive sockets would hold close() open.
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => { server.off('error', reject); resolve() })
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections() })
  }
}
