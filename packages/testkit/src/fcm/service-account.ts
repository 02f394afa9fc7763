import { generateKeyPairSync, randomBytes } from 'node:crypto'

/** A Google service-account key file, as the Firebase console downloads it. */
export interface ServiceAccountJson {
  type: 'service_account'
  project_id: string
  private_key_id: string
  private_key: string
  client_email: string
  client_id: string
  auth_uri: string
  token_uri: string
}

/**
 * A service account with a fresh RSA key whose `token_uri` is the given token endpoint; the
 * caller registers `publicKeyPem` with that endpoint.
 */
export function buildServiceAccount (options: { projectId: string, tokenUri: string, clientEmail?: string }): { serviceAccount: ServiceAccountJson, publicKeyPem: string } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' }
  })
  const serviceAccount: ServiceAccountJson = {
    type: 'service_account',
    project_id: options.projectId,
    private_key_id: randomBytes(20).toString('hex'),
    private_key: pair.privateKey,
    client_email: options.clientEmail ?? `firebase-adminsdk-${randomBytes(3).toString('hex')}@${options.projectId}.iam.gserviceaccount.com`,
    client_id: String(BigInt(`0x${randomBytes(8).toString('hex')}`)),
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: options.tokenUri
  }
  return { serviceAccount, publicKeyPem: pair.publicKey }
}
