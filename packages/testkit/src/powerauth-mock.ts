import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface MockActivation { activationStatus: string, userId: string | null }

export interface PowerAuthMockRequest { path: string, body: unknown, authorization: string | undefined }

/** How the mock misbehaves: an error body, no answer at all, a head and part of a body then nothing, or a body that is not JSON. */
export type PowerAuthFailure = 'error' | 'hang' | 'stall' | 'garbage' | null

export interface PowerAuthMock {
  url: string
  /** Activations it knows, by activation id; unknown ones answer as PowerAuth does (REMOVED). */
  activations: Map<string, MockActivation>
  /** Older PowerAuth servers list `{id (a number), applicationName}`, newer ones `{applicationId (text)}`. */
  applications: Array<{ id: number, applicationName: string } | { applicationId: string }>
  /** Every request received, in order. */
  requests: PowerAuthMockRequest[]
  failure: PowerAuthFailure
  /** The `message` of the `error` failure's body (PowerAuth's own words, which clients must never see). */
  failureMessage: string
  /** Each answer waits this long first (a slow server that still answers within a client's timeout). */
  delayMs: number
  close (): Promise<void>
}

export interface PowerAuthMockOptions {
  /** When set, requests must carry these HTTP Basic credentials or get 401. */
  username?: string
  password?: string
}

/**
 * A PowerAuth server's REST API (v3) as far as a push server uses it: activation status and
 * the application list, with the `{"requestObject": …}` envelope.
 */
export async function startPowerAuthMock (options: PowerAuthMockOptions = {}): Promise<PowerAuthMock> {
  const hanging = new Set<ServerResponse>()
  const expected = options.username === undefined
    ? undefined
    : `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`

  const mock: PowerAuthMock = {
    url: '',
    activations: new Map(),
    applications: [],
    requests: [],
    failure: null,
    failureMessage: 'PowerAuth internal error',
    delayMs: 0,
    close: async () => {
      for (const response of hanging) response.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

  const handle = (req: IncomingMessage, res: ServerResponse, text: string) => {
    let body: { requestObject?: Record<string, unknown> } | undefined
    try { body = JSON.parse(text) } catch { body = undefined }
    mock.requests.push({ path: req.url ?? '', body, authorization: req.headers.authorization })
    if (expected !== undefined && req.headers.authorization !== expected) {
      return reply(res, 401, { status: 'ERROR', responseObject: { code: 'ERR_AUTHENTICATION', message: 'unauthorized' } })
    }
    if (mock.failure === 'hang') { hanging.add(res); return }
    if (mock.failure === 'stall') {
      res.writeHead(200, { 'content-type': 'application/json' }).write('{"status":"OK","responseObject":')
      hanging.add(res)
      return
    }
    if (mock.failure === 'garbage') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>')
    if (mock.failure === 'error') {
      return reply(res, 400, { status: 'ERROR', responseObject: { code: 'ERR_GENERIC', message: mock.failureMessage } })
    }
    if (req.method === 'POST' && req.url === '/rest/v3/activation/status') {
      const activationId = String(body?.requestObject?.activationId ?? '')
      const known = mock.activations.get(activationId)
      return reply(res, 200, {
        status: 'OK',
        responseObject: {
          activationId,
          activationStatus: known?.activationStatus ?? 'REMOVED',
          userId: known?.userId ?? null,
          applicationId: 1
        }
      })
    }
    if (req.method === 'POST' && req.url === '/rest/v3/application/list') {
      return reply(res, 200, { status: 'OK', responseObject: { applications: mock.applications } })
    }
    return reply(res, 404, { status: 'ERROR', responseObject: { code: 'ERR_NOT_FOUND', message: 'not found' } })
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (mock.delayMs === 0) handle(req, res, text)
      else {
        // Held like a hanging answer meanwhile: close() ends it.
        hanging.add(res)
        setTimeout(() => { hanging.delete(res); if (!res.destroyed) handle(req, res, text) }, mock.delayMs)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  mock.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return mock
}
