import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

// A second, deliberately separate implementation of MAAIISDK10 as the README describes it, for
// tests: signing with @beacon/signing and checking with @beacon/signing would pass a layout bug
// on both sides. It must never import @beacon/signing.

/** The six lines of the README's "Signing a request (MAAIISDK10)", in order. */
export interface DeveloperSignedLines {
  method: string
  uri: string
  contentMd5: string
  contentType: string
  date: string
  nonce: string
}

/** Lowercase hex MD5 of the body bytes, '' without a body (or an empty one). */
export function bodyMd5 (body: Uint8Array | string | undefined): string {
  if (body === undefined || body.length === 0) return ''
  return createHash('md5').update(body).digest('hex')
}

/** Lowercase hex HMAC-SHA256, keyed with the secret, of the six lines joined by \n (no trailing line feed). */
export function developerSignature (secret: string | Buffer, lines: DeveloperSignedLines): string {
  const text = `${lines.method}\n${lines.uri}\n${lines.contentMd5}\n${lines.contentType}\n${lines.date}\n${lines.nonce}`
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex')
}

/** Whether `signature` (as sent) is the developer's signature over `lines`, compared in constant time. */
export function isDeveloperSignature (secret: string | Buffer, lines: DeveloperSignedLines, signature: string): boolean {
  const expected = Buffer.from(developerSignature(secret, lines), 'utf8')
  const given = Buffer.from(signature, 'utf8')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export interface DeveloperRequest {
  method: string
  /** The path and query exactly as they go on the wire. */
  uri: string
  body?: Uint8Array | string
  contentType?: string
  key: string
  secret: string | Buffer
  /** Defaults to now. */
  date?: Date
  /** Defaults to 16 random bytes in hex. */
  nonce?: string
}

export interface DeveloperSignedHeaders {
  Authorization: string
  'X-M-Date': string
  'Content-MD5'?: string
  'Content-Type'?: string
}

/** The headers a developer's client sends for `request`: Content-MD5 only with a body, Content-Type only when given. */
export function signAsDeveloper (request: DeveloperRequest): DeveloperSignedHeaders {
  // toUTCString is RFC 1123 in GMT: 'Thu, 12 Sep 2013 18:49:58 GMT'.
  const date = (request.date ?? new Date()).toUTCString()
  const nonce = request.nonce ?? randomBytes(16).toString('hex')
  const contentMd5 = bodyMd5(request.body)
  const signature = developerSignature(request.secret, {
    method: request.method, uri: request.uri, contentMd5, contentType: request.contentType ?? '', date, nonce
  })
  return {
    Authorization: `MAAIISDK10 key="${request.key}", nonce="${nonce}", signature="${signature}"`,
    'X-M-Date': date,
    ...(contentMd5 === '' ? {} : { 'Content-MD5': contentMd5 }),
    ...(request.contentType === undefined ? {} : { 'Content-Type': request.contentType })
  }
}

export interface DeveloperClient {
  /** A signed request to `baseUrl + path` (path and query as sent); `body`, when given, goes as JSON. */
  request (method: string, path: string, body?: unknown): Promise<Response>
}

/** A developer's HTTP client over fetch, signing with signAsDeveloper. */
export function developerClient (options: { baseUrl: string, key: string, secret: string | Buffer }): DeveloperClient {
  return {
    async request (method, path, body) {
      // Sign what fetch sends: the URL after its parser, the method in upper case.
      const url = new URL(options.baseUrl.replace(/\/+$/, '') + path)
      const upper = method.toUpperCase()
      const payload = body === undefined ? undefined : JSON.stringify(body)
      const headers = signAsDeveloper({
        method: upper,
        uri: url.pathname + url.search,
        key: options.key,
        secret: options.secret,
        ...(payload === undefined ? {} : { body: payload, contentType: 'application/json' })
      })
      return await fetch(url, { method: upper, headers: { ...headers }, ...(payload === undefined ? {} : { body: payload }) })
    }
  }
}
