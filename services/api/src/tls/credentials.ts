import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createSecureContext, type SecureContextOptions } from 'node:tls'
import { unreadableFileProblem } from '@beacon/config'
import { TlsCredentialsError, TlsErrorCode } from '../errors.js'

/** Where the api's certificate and key are; read at start and again on every reload (SIGHUP). */
export interface TlsFiles {
  /** PEM: the server certificate first, then its intermediates (the chain clients need). */
  certFile: string
  /** PEM, unencrypted: the private key of the first certificate in certFile. */
  keyFile: string
}

/** What the log says about a certificate: enough to tell which one is served, nothing secret. */
export interface CertificateSummary {
  subject: string
  issuer: string
  serialNumber: string
  fingerprint256: string
  validFrom: string
  validTo: string
}

/** A certificate chain and its private key, read from TlsFiles and checked to belong together. */
export interface TlsCredentials {
  cert: Buffer
  key: Buffer
  summary: CertificateSummary
}

/**
 * TLS 1.2 is the floor (RFC 8996 deprecates 1.0 and 1.1); 1.3 is negotiated whenever the client
 * has it. Node's default floor is 1.2 too, but a `--tls-min-v1.0` flag (or NODE_OPTIONS) would
 * lower a default, so it is fixed here. Ciphers stay Node's defaults (forward-secret AEAD first).
 */
export const MIN_TLS_VERSION = 'TLSv1.2'

/** The options Node's https server and `setSecureContext` take for these credentials. */
export function secureContextOptions ({ cert, key }: TlsCredentials): SecureContextOptions {
  return { cert, key, minVersion: MIN_TLS_VERSION }
}

function readPem (variable: string, file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (error) {
    throw new TlsCredentialsError(TlsErrorCode.FILE_UNREADABLE, unreadableFileProblem(variable, file, error), { cause: error })
  }
}

function parse<T> (make: () => T, code: TlsErrorCode, message: string): T {
  try {
    return make()
  } catch (error) {
    // The cause is OpenSSL's reason ("no start line", "bad decrypt"): it never quotes the input.
    throw new TlsCredentialsError(code, message, { cause: error })
  }
}

/** Reads both files and checks that they make a usable pair; throws a TlsCredentialsError if not. */
export function readTlsCredentials ({ certFile, keyFile }: TlsFiles): TlsCredentials {
  const cert = readPem('TLS_CERT_FILE', certFile)
  const key = readPem('TLS_KEY_FILE', keyFile)
  // X509Certificate reads the first certificate of a chain: the server's own.
  const certificate = parse(() => new X509Certificate(cert), TlsErrorCode.CERT_INVALID,
    `TLS_CERT_FILE (${certFile}) holds no PEM certificate`)
  const privateKey: KeyObject = parse(() => createPrivateKey(key), TlsErrorCode.KEY_INVALID,
    `TLS_KEY_FILE (${keyFile}) holds no usable PEM private key (it must not be encrypted)`)
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsCredentialsError(TlsErrorCode.KEY_MISMATCH,
      `TLS_KEY_FILE (${keyFile}) is not the private key of the first certificate in TLS_CERT_FILE (${certFile}); ` +
      'that file must start with the server\'s own certificate, followed by its intermediates')
  }
  const credentials = { cert, key, summary: summarise(certificate) }
  // What the server itself will do with them: catches a broken chain after the first certificate.
  parse(() => createSecureContext(secureContextOptions(credentials)), TlsErrorCode.UNUSABLE,
    `TLS_CERT_FILE (${certFile}) and TLS_KEY_FILE (${keyFile}) cannot be used together for TLS`)
  return credentials
}

function summarise (certificate: X509Certificate): CertificateSummary {
  const { subject, issuer, serialNumber, fingerprint256, validFrom, validTo } = certificate
  // Multi-valued names arrive one per line; a log field reads better on one.
  const line = (name: string) => name.split('\n').join(', ')
  return { subject: line(subject), issuer: line(issuer), serialNumber, fingerprint256, validFrom, validTo }
}

/** Whether the certificate's validity has ended: served anyway (it is the operator's), but worth a warning. */
export function hasExpired (summary: CertificateSummary, now = new Date()): boolean {
  return new Date(summary.validTo).getTime() <= now.getTime()
}
