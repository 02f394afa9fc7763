import { randomBytes } from 'node:crypto'
import { connect, type OutgoingHttpHeaders } from 'node:http2'
import apn from '@parse/node-apn'
import type { Test } from 'tap'
import { startApnsMock, type ApnsMock, type ApnsMockOptions, type ApnsTestKey } from '../../src/apns/mock.js'

export const bundle = 'com.example.beacon'

export const deviceToken = () => randomBytes(32).toString('hex')

/** A mock that lives for one test, with one team key for `bundle`. */
export async function apnsMock (t: Test, options: ApnsMockOptions = {}): Promise<{ mock: ApnsMock, key: ApnsTestKey }> {
  const mock = await startApnsMock(options)
  t.teardown(() => mock.close())
  return { mock, key: mock.createKey({ bundles: [bundle] }) }
}

/** The real client, pointed at the mock; retries off so every answer is seen as given. */
export function apnsProvider (t: Test, mock: ApnsMock, key: { privateKeyPem: string, keyId: string, teamId: string }, options: apn.ProviderOptions = {}): apn.Provider {
  const provider = new apn.Provider({
    token: { key: key.privateKeyPem, keyId: key.keyId, teamId: key.teamId },
    address: mock.host,
    port: mock.port,
    ca: [mock.ca],
    connectionRetryLimit: 0,
    ...options
  })
  // Not awaited: node-apn never calls back when its last connection attempt failed.
  t.teardown(() => { provider.shutdown() })
  return provider
}

export const alert = (fields: Record<string, unknown> = {}) => new apn.Notification({ alert: 'hello', topic: bundle, ...fields })

export interface RawResponse { status: number, headers: Record<string, unknown>, body: string }

/** A bare HTTP/2 client for what the real client cannot send or does not show (headers). */
export function rawApns (t: Test, mock: ApnsMock) {
  const session = connect(`https://${mock.host}:${mock.port}`, { ca: mock.ca })
  session.on('error', () => {})
  t.teardown(() => { session.destroy() })
  return (headers: OutgoingHttpHeaders, body?: string) => new Promise<RawResponse>((resolve, reject) => {
    const request = session.request({ ':method': 'POST', ...headers })
    let status = 0
    let responseHeaders: Record<string, unknown> = {}
    let text = ''
    request.setEncoding('utf8')
    request.on('response', (received) => { status = Number(received[':status']); responseHeaders = received })
    request.on('data', (chunk: string) => { text += chunk })
    request.on('end', () => resolve({ status, headers: responseHeaders, body: text }))
    request.on('error', reject)
    request.end(body)
  })
}
