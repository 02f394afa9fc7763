import { X509Certificate } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createTestCertificateAuthority, createTestDatabase, httpsRequest, serverCertificate } from '@beacon/testkit'
import t from 'tap'
import { freePort, spawnStandalone, temporaryDataDir } from './helpers/standalone-process.js'

t.test('npm start with TLS_CERT_FILE/TLS_KEY_FILE: https:// in the banner, HTTPS served, SIGHUP reloads', async (t) => {
  const dataDir = await temporaryDataDir()
  const database = await createTestDatabase()
  t.teardown(async () => {
    await rm(dataDir, { recursive: true, force: true })
    await database.drop()
  })
  const authority = await createTestCertificateAuthority()
  const [first, second] = await Promise.all([authority.issue({ organization: 'first' }), authority.issue({ organization: 'second' })])
  const [certFile, keyFile] = [join(dataDir, 'cert.pem'), join(dataDir, 'key.pem')]
  await writeFile(certFile, first.chain)
  await writeFile(keyFile, first.key, { mode: 0o600 })
  const port = await freePort()
  const credentials = { username: 'operator', password: 'operator-password-123' }
  const run = spawnStandalone({
    BEACON_DATA_DIR: dataDir,
    PORT: String(port),
    DATABASE_URL: database.url,
    AUTH_USERNAME: credentials.username,
    AUTH_PASSWORD: credentials.password,
    // The reload's confirmation is an info line.
    LOG_LEVEL: 'info',
    TLS_CERT_FILE: certFile,
    TLS_KEY_FILE: keyFile
  })
  t.teardown(() => { run.child.kill('SIGTERM') })
  await run.waitForStdout(/Stop with Ctrl\+C/)
  t.match(run.stdout(), `Beacon is running at https://127.0.0.1:${port}`)
  t.match(run.stdout(), `  tls:      ${certFile} (re-read on SIGHUP)`)

  const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
  const status = await httpsRequest(`https://127.0.0.1:${port}/push/service/status`, { ca: authority.rootCert, headers: { authorization } })
  t.equal(status.status, 200)
  t.equal(status.fingerprint256, new X509Certificate(first.chain).fingerprint256)

  await writeFile(certFile, second.chain)
  await writeFile(keyFile, second.key)
  const renewed = new X509Certificate(second.chain).fingerprint256
  run.child.kill('SIGHUP')
  await run.waitForStdout(new RegExp(`"fingerprint256":"${renewed}"[^\\n]*"msg":"TLS certificate reloaded"`))
  t.equal((await serverCertificate('127.0.0.1', port, authority.rootCert)).fingerprint256, renewed, 'new connections get the renewed certificate')

  run.child.kill('SIGTERM')
  t.equal(await run.exitCode, 0)
})
