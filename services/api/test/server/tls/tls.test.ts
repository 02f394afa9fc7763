import { X509Certificate, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Agent } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { createTestCertificateAuthority, httpsRequest, serverCertificate, spawnService } from '@beacon/testkit'
import t from 'tap'
import WebSocket from 'ws'
import { createInAppTokens } from '../../../src/domain/in-app/token.js'
import { authorization, fingerprintOf, nthLogLine, startTlsApi } from './tls-api.js'

// guarantee: tls-minimum-version, tls-no-plain-http
t.test('with TLS_CERT_FILE/TLS_KEY_FILE the api serves HTTPS and the in-app channel WSS, on one port', async (t) => {
  const authority = await createTestCertificateAuthority()
  const first = await authority.issue()
  const { api, port, masterKey } = await startTlsApi(t, first)
  const base = `https://127.0.0.1:${port}`
  const ca = authority.rootCert
  t.match(api.output(), /"fingerprint256":"[0-9A-F:]+"[^\n]*"msg":"serving TLS with this certificate"/, 'the start-up log names the certificate')

  const status = await httpsRequest(`${base}/push/service/status`, { ca, headers: { authorization } })
  t.equal(status.status, 200, 'Basic auth over HTTPS, only the root CA trusted: the file\'s intermediate completes the chain')
  t.equal(JSON.parse(status.body).status, 'OK')
  t.equal(status.fingerprint256, fingerprintOf(first), 'with the configured certificate')
  t.equal((await httpsRequest(`${base}/push/service/status`, { ca })).status, 401, 'credentials still required')
  await t.rejects(httpsRequest(`${base}/push/service/status`), /self-signed certificate in certificate chain|unable to get local issuer/,
    'a client that does not trust the CA refuses it')
  await t.rejects(fetch(`http://127.0.0.1:${port}/push/service/status`), 'no plain HTTP on the TLS port')

  const legacy = await new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, ca, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })
    socket.once('secureConnect', () => { socket.destroy(); resolve('connected') })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
  })
  t.equal(legacy, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'TLS 1.0/1.1 clients are refused (TLS 1.2 is the floor)')
  const modern = await serverCertificate('127.0.0.1', port, ca)
  t.equal(modern.fingerprint256, fingerprintOf(first))

  // The in-app channel: an HTTP answer through the TLS handshake, then a full WebSocket over WSS.
  const refused = new WebSocket(`wss://127.0.0.1:${port}/api/1.0/im/connect`, { ca })
  t.equal(await new Promise((resolve, reject) => {
    refused.once('unexpected-response', (_request, response) => { resolve(response.statusCode); refused.terminate() })
    refused.once('error', reject)
  }), 401, 'no token: 401 over WSS')

  const created = await httpsRequest(`${base}/admin/app/create`, {
    ca, method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ requestObject: { appId: 7, appName: 'TLS' } })
  })
  t.equal(created.status, 200)
  const applicationId = JSON.parse(created.body).responseObject.id as number
  const developer = await httpsRequest(`${base}/admin/developer/create`, {
    ca, method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ requestObject: { name: 'TLS', applications: [7] } })
  })
  t.equal(developer.status, 200)
  const { id: developerId } = JSON.parse(developer.body).responseObject as { id: number }
  const { token } = createInAppTokens(masterKey, 300).issue({ applicationId, userId: 'alice', developerId, tokenEpoch: 0 })
  const socket = new WebSocket(`wss://127.0.0.1:${port}/api/1.0/im/connect?token=${token}`, { ca })
  t.teardown(() => socket.terminate())
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
  const pong = new Promise((resolve) => socket.once('pong', (data) => resolve(data.toString())))
  socket.ping('over-wss')
  t.equal(await pong, 'over-wss', 'an open WSS connection, frames both ways')
  t.equal(socket.readyState, WebSocket.OPEN, 'still open: the server accepted the identity')
})

t.test('SIGHUP re-reads the certificate; broken files keep the previous one', async (t) => {
  const authority = await createTestCertificateAuthority()
  const [first, second, third] = await Promise.all([
    authority.issue({ organization: 'first' }), authority.issue({ organization: 'second' }), authority.issue({ organization: 'third' })
  ])
  const { api, port, install } = await startTlsApi(t, first)
  const ca = authority.rootCert
  const url = `https://127.0.0.1:${port}/push/service/status`
  const keptAlive = new Agent({ keepAlive: true, maxSockets: 1, ca })
  t.teardown(() => keptAlive.destroy())
  const before = await httpsRequest(url, { agent: keptAlive, headers: { authorization } })
  t.equal(before.fingerprint256, fingerprintOf(first))

  // guarantee: tls-reload
  await t.test('a renewed certificate is served to new connections', async (t) => {
    await install(second.chain, second.key)
    api.child.kill('SIGHUP')
    await api.waitForOutput(new RegExp(`"fingerprint256":"${fingerprintOf(second)}"[^\\n]*"msg":"TLS certificate reloaded"`))
    const renewed = await serverCertificate('127.0.0.1', port, ca)
    t.equal(renewed.fingerprint256, fingerprintOf(second), 'a new connection gets the new certificate')
    t.not(renewed.serialNumber, new X509Certificate(first.chain).serialNumber)
    t.equal(renewed.subject.O, 'second')
    t.equal((await httpsRequest(url, { ca, headers: { authorization } })).status, 200)

    const again = await httpsRequest(url, { agent: keptAlive, headers: { authorization } })
    t.equal(again.status, 200, 'the connection opened before the reload still serves')
    t.ok(again.reusedSocket, 'over the same kept-alive connection')
    t.equal(again.fingerprint256, fingerprintOf(first), 'with the certificate it was made with')
  })

  // guarantee: tls-reload-failure-keeps-previous
  await t.test('a corrupt key file: logged, the process runs on with the previous certificate', async (t) => {
    const marker = 'CORRUPT-KEY-MATERIAL-3f9a7c'
    await install(third.chain, `-----BEGIN PRIVATE KEY-----\n${marker}\n-----END PRIVATE KEY-----\n`)
    api.child.kill('SIGHUP')
    await nthLogLine(api, 'TLS certificate reload failed; still serving the previous certificate', 1)
    t.match(api.output(), /"level":50[^\n]*"code":"TLS_KEY_INVALID"[^\n]*"msg":"TLS certificate reload failed/, 'an error with its code')
    t.notMatch(api.output(), marker, 'the file\'s content is not logged')
    t.equal(api.child.exitCode, null, 'still running')
    t.equal((await serverCertificate('127.0.0.1', port, ca)).fingerprint256, fingerprintOf(second), 'new connections still get the previous certificate')
    t.equal((await httpsRequest(url, { ca, headers: { authorization } })).status, 200)
  })

  // guarantee: tls-reload-failure-keeps-previous
  await t.test('a key of another certificate: the same', async (t) => {
    await install(third.chain, first.key)
    api.child.kill('SIGHUP')
    await nthLogLine(api, 'TLS certificate reload failed; still serving the previous certificate', 2)
    t.match(api.output(), /"code":"TLS_KEY_MISMATCH"[^\n]*"msg":"TLS certificate reload failed/)
    t.equal((await serverCertificate('127.0.0.1', port, ca)).fingerprint256, fingerprintOf(second))
  })

  await t.test('once the files are fixed, the next SIGHUP takes them', async (t) => {
    await install(third.chain, third.key)
    api.child.kill('SIGHUP')
    await api.waitForOutput(new RegExp(`"fingerprint256":"${fingerprintOf(third)}"[^\\n]*"msg":"TLS certificate reloaded"`))
    t.equal((await serverCertificate('127.0.0.1', port, ca)).fingerprint256, fingerprintOf(third))
  })
})

// guarantee: tls-files-checked
t.test('a bad certificate/key pair stops the start with a clear message and no key material', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-api-tls-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const authority = await createTestCertificateAuthority()
  const [first, second] = await Promise.all([authority.issue(), authority.issue()])
  await writeFile(join(dir, 'cert.pem'), first.chain)
  await writeFile(join(dir, 'key.pem'), second.key)
  const api = spawnService('services/api/src/server.ts', {
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused',
    MASTER_KEY: randomBytes(32).toString('base64'),
    AUTH_DISABLED: 'true',
    HOST: '0.0.0.0',
    TLS_CERT_FILE: join(dir, 'cert.pem'),
    TLS_KEY_FILE: join(dir, 'key.pem')
  })
  t.equal(await api.exited, 1)
  t.match(api.output(), /invalid configuration:/)
  t.match(api.output(), '  - AUTH_DISABLED=true is only allowed when the api listens on a loopback address (HOST 127.0.0.1, ::1 or localhost), not HOST=0.0.0.0')
  t.match(api.output(), `  - TLS_KEY_FILE (${join(dir, 'key.pem')}) is not the private key of the first certificate in TLS_CERT_FILE (${join(dir, 'cert.pem')})`)
  const keyBody = second.key.split('\n')[1] ?? ''
  t.ok(keyBody.length > 20)
  t.notMatch(api.output(), keyBody, 'no key material printed')
})
