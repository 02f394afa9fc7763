import { SigningError, SigningErrorCode } from './errors.js'

/** The three parameters of a MAAIISDK10 Authorization header. */
export interface AuthorizationParams {
  key: string
  nonce: string
  signature: string
}

export const AUTH_SCHEME = 'MAAIISDK10'
const PREFIX = `${AUTH_SCHEME} `
const NAMES = ['key', 'nonce', 'signature'] as const
// Longest well-formed header: two 128-character values, a 64-character signature and the syntax.
export const MAX_AUTHORIZATION_LENGTH = 512
const MAX_VALUE_LENGTH = 128
// Unreserved URI characters plus the base64 ones: covers hex, UUIDs, base64 and base64url, and
// keeps quotes, backslashes, commas and whitespace out of the header.
const TOKEN = /^[A-Za-z0-9._~+/=-]+$/
const SIGNATURE = /^[0-9a-f]{64}$/

const fail = (code: SigningErrorCode, message: string) => new SigningError(code, message)

/** `MAAIISDK10 key="…", nonce="…", signature="…"`, after checking each value the parser would accept. */
export function formatAuthorization (params: AuthorizationParams): string {
  checkValues(params, SigningErrorCode.INVALID_ARGUMENT)
  return `${PREFIX}key="${params.key}", nonce="${params.nonce}", signature="${params.signature}"`
}

/**
 * Strict parser: the scheme exactly `MAAIISDK10` followed by one space, then key, nonce and
 * signature (any order) each exactly once as `name="value"`, separated by a comma and optional
 * spaces or tabs. Nothing else is tolerated: no unknown or repeated parameters, no unquoted or
 * escaped values, no whitespace around `=` or before a comma, no leading or trailing text.
 */
export function parseAuthorization (header: string | undefined): AuthorizationParams {
  if (header === undefined || header === '') {
    throw fail(SigningErrorCode.AUTH_HEADER_MISSING, 'the Authorization header is missing')
  }
  if (header.length > MAX_AUTHORIZATION_LENGTH) {
    throw fail(SigningErrorCode.AUTH_HEADER_TOO_LONG, `the Authorization header is longer than ${MAX_AUTHORIZATION_LENGTH} characters`)
  }
  if (!header.startsWith(PREFIX)) {
    throw fail(SigningErrorCode.AUTH_SCHEME_INVALID, `the Authorization scheme must be ${AUTH_SCHEME}`)
  }
  const found = new Map<string, string>()
  let rest = header.slice(PREFIX.length)
  for (;;) {
    const name = /^([A-Za-z][A-Za-z0-9_-]*)=/.exec(rest)
    if (name === null) {
      throw fail(SigningErrorCode.AUTH_PARAMS_MALFORMED, 'the Authorization parameters must be name="value" pairs separated by commas')
    }
    const paramName = name[1] ?? ''
    rest = rest.slice(name[0].length)
    const closing = rest.indexOf('"', 1)
    if (!rest.startsWith('"') || closing === -1) {
      throw fail(SigningErrorCode.AUTH_PARAM_UNQUOTED, `the value of ${paramName} must be in double quotes`)
    }
    if (!(NAMES as readonly string[]).includes(paramName)) {
      throw fail(SigningErrorCode.AUTH_PARAM_UNKNOWN, `unknown Authorization parameter ${paramName}`)
    }
    if (found.has(paramName)) {
      throw fail(SigningErrorCode.AUTH_PARAM_DUPLICATE, `the Authorization parameter ${paramName} is given twice`)
    }
    found.set(paramName, rest.slice(1, closing))
    rest = rest.slice(closing + 1)
    if (rest === '') break
    const separator = /^,[ \t]*/.exec(rest)
    if (separator === null) {
      throw fail(SigningErrorCode.AUTH_PARAMS_MALFORMED, 'the Authorization parameters must be separated by commas')
    }
    rest = rest.slice(separator[0].length)
  }
  const missing = NAMES.filter((paramName) => !found.has(paramName))
  if (missing.length > 0) {
    throw fail(SigningErrorCode.AUTH_PARAM_MISSING, `the Authorization header lacks ${missing.join(', ')}`)
  }
  const params = { key: found.get('key') ?? '', nonce: found.get('nonce') ?? '', signature: found.get('signature') ?? '' }
  checkValues(params)
  return params
}

function checkValues (params: AuthorizationParams, override?: SigningErrorCode): void {
  const valid = (value: string) => value.length <= MAX_VALUE_LENGTH && TOKEN.test(value)
  const rule = `1 to ${MAX_VALUE_LENGTH} characters of A-Z a-z 0-9 . _ ~ + / = -`
  if (!valid(params.key)) throw fail(override ?? SigningErrorCode.AUTH_KEY_INVALID, `the key must be ${rule}`)
  if (!valid(params.nonce)) throw fail(override ?? SigningErrorCode.AUTH_NONCE_INVALID, `the nonce must be ${rule}`)
  if (!SIGNATURE.test(params.signature)) {
    throw fail(override ?? SigningErrorCode.AUTH_SIGNATURE_INVALID, 'the signature must be 64 lowercase hex digits')
  }
}
