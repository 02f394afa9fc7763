import { isAppIdText, type DeviceStatusUpdate } from '@beacon/contracts'
import type { FastifyBaseLogger } from 'fastify'
import { powerAuthFailure } from '../../errors.js'

export type ActivationStatusName = NonNullable<DeviceStatusUpdate['activationStatus']>
const STATUSES: readonly string[] = ['CREATED', 'PENDING_COMMIT', 'ACTIVE', 'BLOCKED', 'REMOVED']

export interface PowerAuthServiceConfig {
  url: string
  username?: string
  password?: string
  timeoutMs: number
}

export interface ActivationInfo {
  activationStatus: ActivationStatusName
  userId: string | null
}

/**
 * A PowerAuth application: its id as text; `numeric` when the server is one of numeric ids
 * (PowerAuth 1.x before string ids named it `id`, a number).
 */
export interface PowerAuthApplication { id: string, name: string, numeric: boolean }

export interface PowerAuthClient {
  /** Each call's own timeout (POWERAUTH_TIMEOUT_MS). */
  readonly timeoutMs: number
  /** `deadline`: a bound of the caller's over several calls; its end fails the call in flight too. */
  activationStatus (activationId: string, deadline?: AbortSignal): Promise<ActivationInfo>
  listApplications (): Promise<PowerAuthApplication[]>
}

// PowerAuth's own error text goes to the log whole up to this length; never to a client.
const MAX_LOGGED_TEXT = 8192

/** The `code` and `message` of a PowerAuth error body, as they came, for the log only. */
function upstreamError (body: { responseObject?: unknown } | undefined, text: string): Record<string, unknown> {
  const object = body?.responseObject as { code?: unknown, message?: unknown } | undefined
  if (typeof object?.code === 'string' || typeof object?.message === 'string') {
    return { upstreamCode: object?.code, upstreamMessage: typeof object?.message === 'string' ? object.message.slice(0, MAX_LOGGED_TEXT) : undefined }
  }
  return { upstreamBody: text.slice(0, MAX_LOGGED_TEXT) }
}

/**
 * The two calls of PowerAuth server's REST API (v3) the push server needs. Failures answer API
 * clients in our own words (which call, which HTTP status); what PowerAuth said is logged.
 */
export function createPowerAuthClient (config: PowerAuthServiceConfig, log: FastifyBaseLogger): PowerAuthClient {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
  if (config.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`
  }

  async function post (path: string, requestObject: unknown, deadline?: AbortSignal): Promise<Record<string, unknown>> {
    const timeout = AbortSignal.timeout(config.timeoutMs)
    let response: Response
    let text: string
    try {
      // The body too: a server that sends its head and then stalls is cut by the same signals.
      response = await fetch(`${config.url}${path}`, {
        // The operator's URL, not another one a response points to (with our credentials).
        redirect: 'error',
        method: 'POST',
        headers,
        body: JSON.stringify({ requestObject }),
        signal: deadline === undefined ? timeout : AbortSignal.any([timeout, deadline])
      })
      text = await response.text()
    } catch (cause) {
      const reason = deadline?.aborted === true
        ? 'the request\'s look-ups passed their deadline'
        : (cause as Error).name === 'TimeoutError' ? `no answer within ${config.timeoutMs} ms` : 'connection failed'
      log.warn({ path, err: cause }, 'PowerAuth server unreachable')
      throw powerAuthFailure(`PowerAuth server unreachable (${path}): ${reason}`, cause)
    }
    let body: { status?: unknown, responseObject?: unknown } | undefined
    try { body = JSON.parse(text) } catch { body = undefined }
    if (!response.ok || body?.status !== 'OK' || typeof body.responseObject !== 'object' || body.responseObject === null) {
      log.warn({ path, status: response.status, ...upstreamError(body, text) }, 'PowerAuth server refused a call')
      throw powerAuthFailure(`PowerAuth server refused ${path} (HTTP ${response.status})`)
    }
    return body.responseObject as Record<string, unknown>
  }

  return {
    timeoutMs: config.timeoutMs,
    async activationStatus (activationId, deadline) {
      const result = await post('/rest/v3/activation/status', { activationId }, deadline)
      const status = result.activationStatus
      if (typeof status !== 'string' || !STATUSES.includes(status)) {
        throw powerAuthFailure(`PowerAuth server returned no usable status for activation ${activationId}`)
      }
      const userId = typeof result.userId === 'string' && result.userId !== '' ? result.userId : null
      return { activationStatus: status as ActivationStatusName, userId }
    },
    async listApplications () {
      const result = await post('/rest/v3/application/list', {})
      const list = result.applications
      if (!Array.isArray(list)) throw powerAuthFailure('PowerAuth server returned no application list')
      // Older PowerAuth servers name them {id (a number), applicationName}; later ones
      // {applicationId (text), ...}. Anything else is not an application id we could store.
      return list.flatMap((item: Record<string, unknown>) => {
        const numeric = Number.isSafeInteger(item.id) && (item.id as number) >= 0
        const id = numeric ? String(item.id) : item.applicationId
        if (typeof id !== 'string' || !isAppIdText(id)) return []
        const name = item.applicationName ?? item.name ?? id
        return [{ id, name: String(name), numeric }]
      })
    }
  }
}
