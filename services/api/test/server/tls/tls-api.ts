import { X509Certificate, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, freePort, natsTestPrefix, spawnService, testNatsUrl, type IssuedCertificate, type ServiceProcess } from '@beacon/testkit'
import type { Test } from 'tap'
import { base } from '../config/config-env.js'

// The api process serving TLS, shared by the TLS test files (tls.test.ts, tls-expired.test.ts).

export const authorization = `Basic ${Buffer.from('admin:long-enough-password').toString('base64')}`
export const fingerprintOf = (issued: IssuedCertificate) => new X509Certificate(issued.chain).fingerprint256

export interface TlsApi {
  api: ServiceProcess
  port: number
  masterKey: Buffer
  /** Writes a certificate and key where TLS_CERT_FILE and TLS_KEY_FILE point. */
  install (cert: string, key: string): Promise<void>
}

/** The api process (server.ts) serving TLS with `first`; stopped, its files and database removed after the test. */
export async function startTlsApi (t: Test, first: IssuedCertificate): Promise<TlsApi> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-api-tls-'))
  const database = await createTestDatabase()
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')]
  const install = async (cert: string, key: string) => {
    await writeFile(certFile, cert)
    await writeFile(keyFile, key, { mode: 0o600 })
  }
  await install(first.chain, first.key)
  const port = await freePort()
  const masterKey = randomBytes(32)
  const api = spawnService('services/api/src/server.ts', {
    ...base,
    DATABASE_URL: database.url,
    MASTER_KEY: masterKey.toString('base64'),
    PORT: String(port),
    NATS_URL: testNatsUrl,
    NATS_PREFIX: natsTestPrefix(),
    LOG_LEVEL: 'info',
    TLS_CERT_FILE: certFile,
    TLS_KEY_FILE: keyFile
  })
  t.teardown(async () => {
    await api.stop('SIGTERM')
    await database.drop()
    await rm(dir, { recursive: true, force: true })
  })
  await api.waitForOutput(/Server listening at https:\/\/127\.0\.0\.1:/)
  return { api, port, masterKey, install }
}

/** Waits for the n-th log line with this message (log lines accumulate; each wait needs a new one). */
export function nthLogLine (api: ServiceProcess, message: string, n: number): Promise<void> {
  return api.waitForOutput(new RegExp(`("msg":"${message}[^\\n]*[\\s\\S]*){${n}}`))
}
