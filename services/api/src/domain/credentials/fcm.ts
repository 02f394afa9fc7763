import { createPrivateKey, type KeyObject } from 'node:crypto'
import { isListedUrl } from '@beacon/outbound'
import { badRequest } from '../../errors.js'
import { decodeKeyText, KEY_FIELD } from './base64.js'

const EXPECTED = 'a Firebase service-account JSON key file, base64-encoded'
const REQUIRED_FIELDS = ['project_id', 'client_email', 'private_key', 'token_uri'] as const

const invalid = (problem: string) => badRequest(`${KEY_FIELD} must be ${EXPECTED}; ${problem}`)

function isHttpUrl (value: string): boolean {
  try {
    const { protocol } = new URL(value)
    return protocol === 'https:' || protocol === 'http:'
  } catch {
    return false
  }
}

/**
 * The service account from `privateKeyBase64`, checked for everything firebase-admin's `cert()`
 * needs to obtain tokens. Its `token_uri` is where the dispatcher posts a signed assertion: it
 * must be one of `allowedTokenUris` (FCM_TOKEN_URIS, Google's by default), not any URL an
 * uploader chose. Returns the JSON text as uploaded: that is what gets sealed and what the
 * dispatcher parses. Errors name the missing or bad field, never a value.
 */
export function readFcmServiceAccount (base64: string, allowedTokenUris: readonly string[]): string {
  const text = decodeKeyText(base64)
  let account: unknown
  try {
    account = JSON.parse(text)
  } catch {
    throw invalid('it is not JSON')
  }
  if (typeof account !== 'object' || account === null || Array.isArray(account)) throw invalid('it is not a JSON object')
  const fields = account as Record<string, unknown>
  for (const name of REQUIRED_FIELDS) {
    const value = fields[name]
    if (typeof value !== 'string' || value.trim() === '') throw invalid(`${name} is missing or not a non-empty string`)
  }
  let key: KeyObject
  try {
    key = createPrivateKey({ key: fields.private_key as string, format: 'pem' })
  } catch {
    throw invalid('private_key is not a readable unencrypted PEM private key')
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw invalid(`private_key must be an RSA key, not ${String(key.asymmetricKeyType).toUpperCase()}`)
  }
  if (!isHttpUrl(fields.token_uri as string)) throw invalid('token_uri is not an http(s) URL')
  if (!isListedUrl(fields.token_uri as string, allowedTokenUris)) {
    throw invalid(`token_uri is not a token endpoint this server allows (${allowedTokenUris.join(', ')})`)
  }
  return text
}
