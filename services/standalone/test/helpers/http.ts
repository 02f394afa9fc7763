/** Basic-auth credentials as the banner prints them. */
export interface Credentials { username: string, password: string }

export function parseBanner (stdout: string): { url: string, credentials: Credentials } {
  const url = stdout.match(/Beacon is running at (https?:\/\/\S+)/)?.[1]
  const username = stdout.match(/^ {2}username: (\S+)$/m)?.[1]
  const password = stdout.match(/^ {2}password: (\S+)$/m)?.[1]
  if (url === undefined || username === undefined || password === undefined) throw new Error(`no banner in:\n${stdout}`)
  return { url, credentials: { username, password } }
}

/** A JSON request to the running service; credentials optional. */
export async function request (url: string, method: string, credentials?: Credentials, body?: unknown) {
  const headers: Record<string, string> = {}
  if (credentials !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
  }
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: response.status, body: await response.json() as Record<string, any> }
}
