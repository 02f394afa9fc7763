import { createHash } from 'node:crypto'

/**
 * Lowercase hex MD5 of the body bytes (a string counts as its UTF-8 bytes). No body and an empty
 * body are the same thing on the wire, so both give the empty string the scheme signs for "no body".
 */
export function contentMd5 (body: Uint8Array | string | undefined): string {
  if (body === undefined || body.length === 0) return ''
  return createHash('md5').update(body).digest('hex')
}
