import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

export interface SelfSignedCertificate {
  /** The certificate, PEM; it is its own CA, so clients pass it as `ca` to trust the mock. */
  cert: string
  /** Its private key, PEM (PKCS#8). */
  key: string
}

const run = promisify(execFile)

let shared: Promise<SelfSignedCertificate> | undefined

/**
 * A self-signed P-256 certificate for `localhost` and 127.0.0.1, valid for two days. Node cannot
 * write X.509 on its own, so this asks the `openssl` CLI (present here and in CI) rather than
 * adding a dependency. One certificate per process: every mock in a test run can share it.
 */
export function selfSignedCertificate (): Promise<SelfSignedCertificate> {
  shared ??= generate().catch((error: unknown) => {
    shared = undefined
    throw error
  })
  return shared
}

async function generate (): Promise<SelfSignedCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-tls-'))
  try {
    const keyFile = join(dir, 'key.pem')
    const certFile = join(dir, 'cert.pem')
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'
    ]).catch((error: Error) => {
      throw new Error(`could not create a TLS certificate with the openssl CLI (OpenSSL >= 1.1.1 must be on PATH): ${error.message}`)
    })
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
