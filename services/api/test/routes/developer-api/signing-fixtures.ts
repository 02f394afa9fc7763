import { signAsDeveloper } from '@beacon/testkit'
import type { FastifyInstance } from 'fastify'
import { allocateDeveloperId, sealDeveloperSecret } from '../../../src/domain/developers/developers.js'

export const KEY = 'dev-key-0123456789'
export const SECRET = 'dev-secret-abcdefghijklmnopqrstuvwxyz'
export const CARRIER = 'carrier.example'

/** An application with a carrier domain and an enabled developer allowed to address it, straight in the database. */
export async function insertDeveloper (app: FastifyInstance, options: { key?: string, secret?: string, enabled?: boolean, appId?: string, carrier?: string } = {}) {
  const appId = options.appId ?? '1'
  const application = await app.db.application.upsert({
    where: { appId },
    create: { appId, name: `app ${appId}`, carrierDomain: options.carrier ?? CARRIER },
    update: {}
  })
  const id = await allocateDeveloperId(app.db)
  const developer = await app.db.developer.create({
    data: {
      id,
      key: options.key ?? KEY,
      name: 'Test developer',
      secret: sealDeveloperSecret(app.secrets, id, options.secret ?? SECRET),
      enabled: options.enabled ?? true,
      applications: { create: [{ applicationId: application.id }] }
    }
  })
  return { developer, application }
}

export interface SignedCall {
  method?: string
  /** Where the request goes, exactly as sent. */
  url: string
  /** A string goes as UTF-8; bytes as they are (a test of bytes that are not UTF-8). */
  body?: string | Buffer
  contentType?: string
  key?: string
  secret?: string
  date?: Date
  nonce?: string
  /** What the signature is computed over, when a test tampers with the request after signing. */
  signed?: { method?: string, uri?: string, body?: string | Buffer, contentType?: string }
  /** Replaces or adds headers after signing (undefined removes one). */
  headers?: Record<string, string | undefined>
  /** The client address the api sees (inject's default otherwise). */
  remoteAddress?: string
}

/**
 * The headers a developer's client sends (the test kit's own MAAIISDK10 signer, not the package
 * the api verifies with), with Node's lower-case names, after the test's changes.
 */
export function signedHeaders (call: SignedCall): Record<string, string> {
  const method = call.method ?? 'GET'
  const signed = call.signed ?? {}
  const body = 'body' in signed ? signed.body : call.body
  const contentType = 'contentType' in signed ? signed.contentType : call.contentType
  const headers: Record<string, string | undefined> = Object.fromEntries(Object.entries(signAsDeveloper({
    method: signed.method ?? method,
    uri: signed.uri ?? call.url,
    key: call.key ?? KEY,
    secret: call.secret ?? SECRET,
    ...(body === undefined ? {} : { body }),
    ...(contentType === undefined ? {} : { contentType }),
    ...(call.date === undefined ? {} : { date: call.date }),
    ...(call.nonce === undefined ? {} : { nonce: call.nonce })
  })).map(([name, value]) => [name.toLowerCase(), value]))
  // The request's own Content-Type, when the signature was computed over another one.
  if (call.contentType !== undefined) headers['content-type'] = call.contentType
  for (const [name, value] of Object.entries(call.headers ?? {})) headers[name.toLowerCase()] = value
  return Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined))
}

/** A signed request through inject (the URL is sent as given: what the server signs against). */
export function signedInject (app: FastifyInstance, call: SignedCall) {
  return app.inject({
    method: (call.method ?? 'GET') as 'GET',
    url: call.url,
    headers: signedHeaders(call),
    ...(call.remoteAddress === undefined ? {} : { remoteAddress: call.remoteAddress }),
    ...(call.body === undefined ? {} : { payload: call.body })
  })
}

/** The body and header every refused request gets. */
export const UNAUTHORIZED = {
  error: {
    status: 401,
    code: 40100,
    message: 'the request is not authorized: it must be signed (MAAIISDK10) with the key and secret of an enabled developer, ' +
      'with a fresh nonce and an X-M-Date within the accepted window'
  }
}
