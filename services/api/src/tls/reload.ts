import { Server as TlsServer } from 'node:tls'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { hasExpired, readTlsCredentials, secureContextOptions, type CertificateSummary, type TlsFiles } from './credentials.js'

/** One line naming the certificate in use (a warning if it has expired: clients will refuse it). */
export function logCertificate (log: FastifyBaseLogger, certificate: CertificateSummary, message: string): void {
  if (hasExpired(certificate)) log.warn({ certificate }, `${message}; it has EXPIRED, clients will refuse it`)
  else log.info({ certificate }, message)
}

/**
 * Re-reads the certificate and key (on SIGHUP) and serves them to new connections; connections
 * already open keep the certificate they were made with. Any problem — a file missing or half
 * written, a key of another certificate — is logged and the previous certificate stays in use.
 * Returns whether the new one is in use.
 */
export function reloadTlsCertificate (app: FastifyInstance, files: TlsFiles): boolean {
  const server = app.server
  if (!(server instanceof TlsServer)) throw new Error('reloadTlsCertificate: this api serves plain HTTP (no TLS_CERT_FILE)')
  try {
    const credentials = readTlsCredentials(files)
    server.setSecureContext(secureContextOptions(credentials))
    logCertificate(app.log, credentials.summary, 'TLS certificate reloaded')
    return true
  } catch (error) {
    app.log.error({ err: error }, 'TLS certificate reload failed; still serving the previous certificate')
    return false
  }
}
