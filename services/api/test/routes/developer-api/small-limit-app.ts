import { signAsDeveloper, type DeveloperSignedHeaders } from '@beacon/testkit'
import type { Test } from 'tap'
import { buildApp } from '../../helper.js'
import type { RawResponse } from '../../raw-http.js'
import { KEY, SECRET, insertDeveloper } from './signing-fixtures.js'

export const ECHO = '/api/1.0/debug/echo'

/** Request line and headers as raw HTTP sends them; a header given `undefined` is left out. */
export const requestHead = (method: string, headers: Record<string, string | undefined> | DeveloperSignedHeaders) =>
  `${method} ${ECHO} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headerLines(headers)}`.slice(0, -2)

/** An api with a 4 KiB signed body limit, listening for raw HTTP, and what its body-limit tests share. */
export async function smallLimitApp (t: Test) {
  const { app, logs } = await buildApp(t, { SIGNED_BODY_LIMIT_BYTES: '4096' }, { captureLogs: true })
  await insertDeveloper(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const post = (headers: Record<string, string | undefined> | DeveloperSignedHeaders, length: number) =>
    requestHead('POST', { 'Content-Length': String(length), ...headers })
  const lastRefusal = () => /"reason":"([A-Z_]+)"/.exec(logs().split('\n').filter((line) => line.includes('signed request refused')).at(-1) ?? '')?.[1]
  const sign = (options: { key?: string, secret?: string, date?: Date } = {}) => signAsDeveloper({
    method: 'POST', uri: ECHO, body: '{}', contentType: 'application/json', key: options.key ?? KEY, secret: options.secret ?? SECRET, ...(options.date === undefined ? {} : { date: options.date })
  })
  // Refused from the head, each for its reason.
  const headRefusals: Array<[string, Record<string, string> | DeveloperSignedHeaders, string]> = [
    ['no Authorization header', { 'Content-Type': 'application/json', 'X-M-Date': new Date().toUTCString() }, 'SIGNING_AUTH_HEADER_MISSING'],
    ['an unknown key', sign({ key: 'nobody-0123456789' }), 'SIGNING_KEY_UNKNOWN'],
    ['a stale date', sign({ date: new Date(Date.now() - 3_600_000) }), 'SIGNING_DATE_OUT_OF_WINDOW'],
    ['a wrong signature over the Content-MD5 header', sign({ secret: 'not-the-secret' }), 'SIGNING_SIGNATURE_MISMATCH']
  ]
  return { app, port, post, lastRefusal, sign, headRefusals }
}

// A body over the 4 KiB limit.
export const OVER = JSON.stringify({ content: 'x'.repeat(5000) })
/** What a caller sees of an answer: status, body, and whether the connection stays. */
export const seen = (response: RawResponse) => [response.status, response.body, response.headers.connection]

/** Header lines as raw HTTP sends them; a header given `undefined` is left out. */
export const headerLines = (headers: Record<string, string | undefined> | DeveloperSignedHeaders) =>
  Object.entries(headers).filter(([, value]) => value !== undefined).map(([name, value]) => `${name}: ${value!}\r\n`).join('')

// Long enough that a server answering from the head would have (it answers in milliseconds).
export const HOLD_MS = 800
