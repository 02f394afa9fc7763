import { formatAuthorization } from './authorization.js'
import { contentMd5 } from './content-md5.js'
import { httpDate } from './http-date.js'
import { newNonce } from './nonce.js'
import { sign } from './string-to-sign.js'

export interface SignRequestInput {
  /** Sent exactly like this: fetch upper-cases only the standard methods, so pass upper case. */
  method: string
  /** The path and query exactly as they will go on the wire, e.g. `/api/1.0/push/alice@acme?x=1`. */
  uri: string
  body?: Uint8Array | string
  /** Sent as the Content-Type header; without it, make sure your HTTP library adds none either. */
  contentType?: string
  key: string
  secret: string | Buffer
  /** Defaults to now. */
  date?: Date
  /** Defaults to a fresh random nonce. */
  nonce?: string
}

export interface SignedHeaders {
  Authorization: string
  'X-M-Date': string
  'Content-MD5'?: string
  'Content-Type'?: string
}

/** The headers that make a request a valid MAAIISDK10-signed one. */
export function signRequest (input: SignRequestInput): SignedHeaders {
  const date = httpDate(input.date ?? new Date())
  const nonce = input.nonce ?? newNonce()
  const md5 = contentMd5(input.body)
  const signature = sign(input.secret, {
    method: input.method,
    uri: input.uri,
    contentMd5: md5,
    contentType: input.contentType ?? '',
    date,
    nonce
  })
  const headers: SignedHeaders = {
    Authorization: formatAuthorization({ key: input.key, nonce, signature }),
    'X-M-Date': date
  }
  if (md5 !== '') headers['Content-MD5'] = md5
  if (input.contentType !== undefined) headers['Content-Type'] = input.contentType
  return headers
}
