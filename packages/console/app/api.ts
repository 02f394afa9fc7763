/**
 * The console's calls to its own api (same origin). Every request carries the console header:
 * with the SameSite=Strict cookie, it is what lets the api tell the console's page from another
 * site's form (services/api/src/plugins/app/access/console-session.ts). Errors come back in the api's
 * own format and are thrown as ApiFailure with its message.
 */
export class ApiFailure extends Error {
  constructor (readonly status: number, readonly code: string, message: string) {
    super(message)
    this.name = 'ApiFailure'
  }
}

/** Set by the shell: a 401 anywhere means the session ended, and the page signs in again. */
let onSignedOut: () => void = () => {}
export const whenSignedOut = (handler: () => void) => { onSignedOut = handler }

// Set while a timer's tick runs (components/data.ts, useInterval): the requests it starts are the
// page refreshing itself, not the admin at work, and say so. The api does not count them as use of
// the session, so a console left open on a polling page still ends after CONSOLE_SESSION_IDLE_S.
let polling = false
export function asPoll (tick: () => void): void {
  polling = true
  try { tick() } finally { polling = false }
}

/** Whether the requests started now are a poll's: a load that awaits between its requests passes this on to the later ones. */
export const isPolling = () => polling

/** `poll`: a request of a poll started after an await, outside its tick (isPolling). */
export interface RequestOptions { poll?: boolean }

export async function request<T = any> (method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const poll = polling || options.poll === true
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'x-beacon-console': '1', ...(poll ? { 'x-beacon-console-poll': '1' } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  let json: any
  try { json = text === '' ? {} : JSON.parse(text) } catch { json = { message: text } }
  if (!response.ok) {
    // The api's error body: { status: 'ERROR', responseObject: { code, message } }.
    const error = json?.responseObject ?? json
    if (response.status === 401 && !path.startsWith('/console/api/session')) onSignedOut()
    throw new ApiFailure(response.status, String(error?.code ?? response.status), String(error?.message ?? response.statusText))
  }
  return json as T
}

/** A PowerAuth-style call: the body wrapped in `requestObject`, the answer's `responseObject`. */
export async function call<T = any> (method: string, path: string, requestObject?: unknown, options: RequestOptions = {}): Promise<T> {
  const answer = await request<{ responseObject: T }>(method, path, requestObject === undefined ? undefined : { requestObject }, options)
  return answer.responseObject
}

/** A file's bytes as base64, as the admin API takes keys and service accounts. */
export async function fileBase64 (file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

export const messageOf = (error: unknown) => error instanceof Error ? error.message : String(error)
