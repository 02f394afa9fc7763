import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** A server certificate as a CA hands it out. */
export interface IssuedCertificate {
  /** PEM: the server certificate, then the intermediate that signed it (what a server presents). */
  chain: string
  /** Its private key, PEM (PKCS#8). */
  key: string
}

/** A private root -> intermediate -> server hierarchy, the shape of a real deployment's. */
export interface TestCertificateAuthority {
  /** The root certificate, PEM: what clients pass as `ca`. The intermediate is not trusted by itself. */
  rootCert: string
  /**
   * A new key and certificate for `localhost`, 127.0.0.1 and ::1, with a random serial, valid for
   * `days` from now (2); a negative number issues one that expired that many days ago.
   */
  issue (options?: { organization?: string, days?: number }): Promise<IssuedCertificate>
}

const run = promisify(execFile)
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

// A config of our own, so that the system's openssl.cnf cannot change what is issued.
const CONFIG = `[req]
distinguished_name = dn
[dn]
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
authorityKeyIdentifier = keyid
`

async function openssl (args: string[]): Promise<void> {
  await run('openssl', args).catch((error: Error) => {
    throw new Error(`the openssl CLI (OpenSSL >= 1.1.1 must be on PATH) failed: ${error.message}`, { cause: error })
  })
}

/** Runs `work` in a temporary folder holding the openssl config, then removes the folder. */
async function inScratchFolder<T> (work: (dir: string, config: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-ca-'))
  try {
    const config = join(dir, 'openssl.cnf')
    await writeFile(config, CONFIG)
    return await work(dir, config)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Signs a new key's request with the issuer in `dir` (`issuer.pem`, `issuer.key`). */
async function signed (dir: string, config: string, name: string, subject: string, extensions: string, days = 2): Promise<{ cert: string, key: string }> {
  const [keyFile, csrFile, certFile] = ['key', 'csr', 'pem'].map((ext) => join(dir, `${name}.${ext}`)) as [string, string, string]
  await openssl(['req', '-new', '-config', config, ...EC_KEY, '-keyout', keyFile, '-out', csrFile, '-subj', subject])
  await openssl(['x509', '-req', '-in', csrFile, '-CA', join(dir, 'issuer.pem'), '-CAkey', join(dir, 'issuer.key'),
    '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', String(days), '-extfile', config, '-extensions', extensions, '-out', certFile])
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') }
}

/**
 * A certificate authority for TLS tests of Beacon's own servers. Node cannot write X.509, so this
 * asks the `openssl` CLI (as selfSignedCertificate does) rather than adding a dependency.
 */
export async function createTestCertificateAuthority (): Promise<TestCertificateAuthority> {
  const { root, intermediate } = await inScratchFolder(async (dir, config) => {
    await openssl(['req', '-x509', '-config', config, '-extensions', 'root', ...EC_KEY,
      '-keyout', join(dir, 'issuer.key'), '-out', join(dir, 'issuer.pem'), '-days', '2', '-subj', '/CN=Beacon Test Root'])
    const root = await readFile(join(dir, 'issuer.pem'), 'utf8')
    return { root, intermediate: await signed(dir, config, 'intermediate', '/CN=Beacon Test Intermediate', 'intermediate') }
  })
  return {
    rootCert: root,
    issue: ({ organization = 'Beacon test', days = 2 } = {}) => inScratchFolder(async (dir, config) => {
      await writeFile(join(dir, 'issuer.pem'), intermediate.cert)
      await writeFile(join(dir, 'issuer.key'), intermediate.key)
      const server = await signed(dir, config, 'server', `/CN=localhost/O=${organization}`, 'server', days)
      return { chain: server.cert + intermediate.cert, key: server.key }
    })
  }
}
