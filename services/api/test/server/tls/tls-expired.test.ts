import { connect } from 'node:tls'
import { createTestCertificateAuthority, type ServiceProcess } from '@beacon/testkit'
import t from 'tap'
import { fingerprintOf, nthLogLine, startTlsApi } from './tls-api.js'

// An expired certificate is the operator's to replace, not Beacon's to refuse: it is served (a
// client that checks dates refuses it), and every log line naming it, at start and at each
// reload, is a warning that says so.

/** The certificate a new connection is given, and why a client that verifies it would refuse it. */
function presented (port: number, ca: string): Promise<{ fingerprint256: string, refusal: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, rejectUnauthorized: false }, () => {
      // Node sets it to the verification's error code (a string, despite its declared type).
      const refusal = socket.authorized ? undefined : String(socket.authorizationError)
      resolve({ fingerprint256: socket.getPeerCertificate().fingerprint256, refusal })
      socket.end()
    })
    socket.on('error', reject)
  })
}

/** The last JSON log line whose message starts with `message`. */
function lastLine (api: ServiceProcess, message: string): { level: number, msg: string, certificate: { fingerprint256: string } } {
  const lines = api.output().split('\n').filter((line) => line.includes(`"msg":"${message}`))
  return JSON.parse(lines.at(-1) ?? '{}')
}

// guarantee: tls-expired-certificate-warned
t.test('an expired certificate is served, and logged as a warning at start and at reload', async (t) => {
  const authority = await createTestCertificateAuthority()
  const [expired, alsoExpired, valid] = await Promise.all([
    authority.issue({ days: -1, organization: 'expired' }), authority.issue({ days: -1, organization: 'also expired' }), authority.issue()
  ])
  const ca = authority.rootCert
  const { api, port, install } = await startTlsApi(t, expired)

  t.match(lastLine(api, 'serving TLS with this certificate'), { level: 40, msg: /EXPIRED/, certificate: { fingerprint256: fingerprintOf(expired) } },
    'the start-up line is a warning')
  t.same(await presented(port, ca), { fingerprint256: fingerprintOf(expired), refusal: 'CERT_HAS_EXPIRED' }, 'served all the same')

  // Installs `issued`, sends SIGHUP and returns the reload's log line (the `nth` so far).
  const reload = async (issued: typeof valid, nth: number) => {
    await install(issued.chain, issued.key)
    api.child.kill('SIGHUP')
    await nthLogLine(api, 'TLS certificate reloaded', nth)
    return lastLine(api, 'TLS certificate reloaded')
  }
  t.match(await reload(alsoExpired, 1), { level: 40, msg: /EXPIRED/, certificate: { fingerprint256: fingerprintOf(alsoExpired) } },
    'the reload line is a warning')
  t.same(await presented(port, ca), { fingerprint256: fingerprintOf(alsoExpired), refusal: 'CERT_HAS_EXPIRED' }, 'the reloaded one is served')

  const renewed = await reload(valid, 2)
  t.match(renewed, { level: 30, certificate: { fingerprint256: fingerprintOf(valid) } }, 'a valid certificate is logged at info')
  t.notMatch(renewed.msg, /EXPIRED/)
  t.same(await presented(port, ca), { fingerprint256: fingerprintOf(valid), refusal: undefined })
})
