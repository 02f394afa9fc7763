/**
 * MAAIISDK10 test vectors computed outside Beacon, with openssl over the six lines the README
 * describes ("Signing a request (MAAIISDK10)", "Verifying a callback"): method, path and query as
 * sent, lowercase hex MD5 of the body ("" without one), Content-Type ("" without one), X-M-Date,
 * nonce, joined by \n with no trailing line feed; the signature is the lowercase hex
 * HMAC-SHA256 of that string keyed with the secret's text (UTF-8). Next to each value is the
 * exact command (bash, UTF-8 locale, OpenSSL 3.0) that printed it; `-r` prints "<hex> *stdin".
 * A `%` of the query is written `%%` in printf's format.
 */
export interface SigningVector {
  name: string
  key: string
  secret: string
  method: string
  uri: string
  /** Absent: a request without a body. */
  body?: string
  /** Absent: no Content-Type header. */
  contentType?: string
  /** The X-M-Date header. */
  date: string
  nonce: string
  /** Lowercase hex MD5 of the body; '' without one. */
  contentMd5: string
  signature: string
}

const ECHO = '/api/1.0/debug/echo'
const DATE_2013 = 'Thu, 12 Sep 2013 18:49:58 GMT'
const CALLBACK_BODY = '{"eventId":"4b1c0f6e-2f53-4a8e-9d1b-6c1f3f1e2a10:push.failed","event":"push.failed",' +
  '"requestId":"4b1c0f6e-2f53-4a8e-9d1b-6c1f3f1e2a10","to":"alice@carrier.example",' +
  '"timestamp":"2026-11-30T12:00:03.120Z","reason":"Unregistered"}'

export const WITH_BODY: SigningVector = {
  name: 'a POST with a JSON body',
  key: 'a-demo-key',
  secret: 'a-demo-secret',
  method: 'POST',
  uri: ECHO,
  body: '{"hello":"world"}',
  contentType: 'application/json',
  date: DATE_2013,
  nonce: '123456789',
  // printf '%s' '{"hello":"world"}' | openssl md5 -r
  contentMd5: 'fbc24bcc7a1794758fc1327fcfebdaf6',
  // printf 'POST\n/api/1.0/debug/echo\nfbc24bcc7a1794758fc1327fcfebdaf6\napplication/json\nThu, 12 Sep 2013 18:49:58 GMT\n123456789' | openssl dgst -sha256 -hmac 'a-demo-secret' -r
  signature: 'a89f53b0915b6bae9cc99ff19047aaf3684a9d14c80fc032de534c3fe6635e14'
}

export const WITHOUT_BODY: SigningVector = {
  name: 'a GET without a body or a Content-Type',
  key: 'a-demo-key',
  secret: 'a-demo-secret',
  method: 'GET',
  uri: ECHO,
  date: DATE_2013,
  nonce: 'nonce-without-body',
  contentMd5: '',
  // printf 'GET\n/api/1.0/debug/echo\n\n\nThu, 12 Sep 2013 18:49:58 GMT\nnonce-without-body' | openssl dgst -sha256 -hmac 'a-demo-secret' -r
  signature: '3391357a5ae3e5212dfbd060b5138aa53e4421d7d0af949039b436ff0853936c'
}

export const WITH_QUERY: SigningVector = {
  name: 'a GET with a query, its order and percent-encoding as sent',
  key: 'a-demo-key',
  secret: 'a-demo-secret',
  method: 'GET',
  uri: `${ECHO}?z=1&a=%20b&a=%C3%BC`,
  date: DATE_2013,
  nonce: 'nonce-with-query',
  contentMd5: '',
  // printf 'GET\n/api/1.0/debug/echo?z=1&a=%%20b&a=%%C3%%BC\n\n\nThu, 12 Sep 2013 18:49:58 GMT\nnonce-with-query' | openssl dgst -sha256 -hmac 'a-demo-secret' -r
  signature: '90cb90f4dbeb0f309c01ac5cfe62eb76e6bb06412c4825f501f338340a0d3c5e'
}

export const NON_ASCII: SigningVector = {
  name: 'non-ASCII body and secret (UTF-8 bytes)',
  key: 'a-demo-key',
  secret: 'sëcret-ключ',
  method: 'POST',
  uri: '/api/1.0/push/alice@carrier.example',
  body: '{"content":"Grüße, 世界 👋"}',
  contentType: 'application/json; charset=utf-8',
  date: DATE_2013,
  nonce: 'nonce-non-ascii',
  // printf '%s' '{"content":"Grüße, 世界 👋"}' | openssl md5 -r
  contentMd5: 'eae7789a24f7448a5a4d91ebccfbef02',
  // printf 'POST\n/api/1.0/push/alice@carrier.example\neae7789a24f7448a5a4d91ebccfbef02\napplication/json; charset=utf-8\nThu, 12 Sep 2013 18:49:58 GMT\nnonce-non-ascii' | openssl dgst -sha256 -hmac 'sëcret-ключ' -r
  signature: '96195753b5b031e1195b5963d7e6429be18784cc50809cc32cad9f749d5c74da'
}

/** The README's callback example: POST /hooks/beacon?tenant=42 with the push.failed event. */
export const CALLBACK: SigningVector = {
  name: 'a callback to the developer',
  key: 'a-demo-key',
  secret: 'a-demo-secret',
  method: 'POST',
  uri: '/hooks/beacon?tenant=42',
  body: CALLBACK_BODY,
  contentType: 'application/json',
  date: 'Mon, 30 Nov 2026 12:00:03 GMT',
  nonce: 'q0Zt3Fh7Yd2LxVbN8sKpRw',
  // printf '%s' "$CALLBACK_BODY" | openssl md5 -r   (CALLBACK_BODY: the body above, on one line)
  contentMd5: 'aaf1d3fa2934650ab40911980eb9e9bf',
  // printf 'POST\n/hooks/beacon?tenant=42\naaf1d3fa2934650ab40911980eb9e9bf\napplication/json\nMon, 30 Nov 2026 12:00:03 GMT\nq0Zt3Fh7Yd2LxVbN8sKpRw' | openssl dgst -sha256 -hmac 'a-demo-secret' -r
  signature: '7a18cb206b2297ab52cf9c7bb6f0d87c3404af5483e9866ec193666b26d920de'
}

export const SIGNING_VECTORS: readonly SigningVector[] = [WITH_BODY, WITHOUT_BODY, WITH_QUERY, NON_ASCII, CALLBACK]

/** The vector's request headers, spelled out by hand (lower-case names, as Node receives them). */
export function vectorHeaders (vector: SigningVector): Record<string, string> {
  return {
    authorization: `MAAIISDK10 key="${vector.key}", nonce="${vector.nonce}", signature="${vector.signature}"`,
    'x-m-date': vector.date,
    ...(vector.contentMd5 === '' ? {} : { 'content-md5': vector.contentMd5 }),
    ...(vector.contentType === undefined ? {} : { 'content-type': vector.contentType })
  }
}

/** The instant of the vector's X-M-Date, for a verifier's fixed clock. */
export function vectorTime (vector: SigningVector): Date {
  return new Date(Date.parse(vector.date))
}
