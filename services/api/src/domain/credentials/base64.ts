import { badRequest } from '../../errors.js'

/** The field every credential upload carries; error messages name it, never its value. */
export const KEY_FIELD = 'requestObject.privateKeyBase64'

/**
 * The text inside `privateKeyBase64`. The schema has already checked the alphabet; Node's decoder
 * silently drops what it cannot use, so an input of the wrong length is refused here instead of
 * being half-decoded into something that fails later with a confusing message.
 */
export function decodeKeyText (base64: string): string {
  const compact = base64.replace(/\s+/g, '')
  const unpadded = compact.replace(/(?<!=)=+$/, '')
  if (unpadded.length % 4 === 1) throw badRequest(`${KEY_FIELD} is not valid base64 (truncated)`)
  const bytes = Buffer.from(compact, 'base64')
  if (bytes.length === 0) throw badRequest(`${KEY_FIELD} decodes to nothing`)
  return bytes.toString('utf8').replace(/^\uFEFF/, '')
}
