import { SigningError, SigningErrorCode } from './errors.js'

/** Request headers as Node's `IncomingMessage.headers` (or Fastify's `request.headers`) holds them. */
export type RequestHeaders = Record<string, string | string[] | undefined>

/**
 * One header's value, whatever the case of its name. A header sent twice (Node gives an array) is
 * refused: the signer and the verifier could each read a different copy.
 */
export function singleHeader (headers: RequestHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase()
  const values: string[] = []
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue
    values.push(...(Array.isArray(value) ? value : [value]))
  }
  if (values.length > 1) {
    throw new SigningError(SigningErrorCode.HEADER_REPEATED, `the ${name} header is sent more than once`)
  }
  return values[0]
}
