import type { EnvReader } from '@beacon/config'
import { TlsCredentialsError } from '../errors.js'
import { readTlsCredentials, type TlsCredentials, type TlsFiles } from './credentials.js'

/** The api's TLS: the files (re-read on SIGHUP) and what they held at start. */
export interface TlsSettings {
  files: TlsFiles
  credentials: TlsCredentials
}

/**
 * TLS_CERT_FILE and TLS_KEY_FILE: both (HTTPS and WSS) or neither (plain HTTP). The files are read
 * and checked here, so a bad pair is reported at start with the other configuration problems.
 */
export function readTlsSettings (read: EnvReader): TlsSettings | null {
  const certFile = read.string('TLS_CERT_FILE')
  const keyFile = read.string('TLS_KEY_FILE')
  if (certFile === '' && keyFile === '') return null
  if (certFile === '' || keyFile === '') {
    const [given, missing] = certFile === '' ? ['TLS_KEY_FILE', 'TLS_CERT_FILE'] : ['TLS_CERT_FILE', 'TLS_KEY_FILE']
    read.check(false, `TLS_CERT_FILE and TLS_KEY_FILE are set together or not at all: ${given} is set, ${missing} is not`)
    return null
  }
  const files = { certFile, keyFile }
  try {
    return { files, credentials: readTlsCredentials(files) }
  } catch (error) {
    if (!(error instanceof TlsCredentialsError)) throw error
    read.check(false, error.message)
    return null
  }
}
