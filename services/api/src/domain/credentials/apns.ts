import { createPrivateKey, type KeyObject } from 'node:crypto'
import { badRequest } from '../../errors.js'
import { decodeKeyText, KEY_FIELD } from './base64.js'

const EXPECTED = 'an EC P-256 private key in PEM (the .p8 file Apple issues), base64-encoded'

/**
 * The APNs token-signing key from `privateKeyBase64`, checked to be what APNs accepts (ES256 needs
 * P-256) and normalised to PKCS#8 PEM, the form the dispatcher signs with. Errors name the
 * problem, never the key.
 */
export function readApnsPrivateKey (base64: string): string {
  const text = decodeKeyText(base64)
  let key: KeyObject
  try {
    key = createPrivateKey({ key: text, format: 'pem' })
  } catch {
    throw badRequest(`${KEY_FIELD} must be ${EXPECTED}; it holds no readable unencrypted PEM private key`)
  }
  if (key.asymmetricKeyType !== 'ec') {
    throw badRequest(`${KEY_FIELD} must be ${EXPECTED}; it holds an ${String(key.asymmetricKeyType).toUpperCase()} key`)
  }
  const curve = key.asymmetricKeyDetails?.namedCurve
  if (curve !== 'prime256v1') {
    throw badRequest(`${KEY_FIELD} must be ${EXPECTED}; it holds an EC key on curve ${curve ?? 'unknown'}`)
  }
  return key.export({ type: 'pkcs8', format: 'pem' }).toString()
}
