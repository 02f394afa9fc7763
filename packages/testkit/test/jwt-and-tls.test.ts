import { X509Certificate, createPublicKey, generateKeyPairSync } from 'node:crypto'
import { connect, createServer } from 'node:tls'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { decodeJwt, signJwt, verifyJwtSignature } from '../src/jwt.js'
import { generateApnsSigningKey } from '../src/apns/auth.js'
import { selfSignedCertificate } from '../src/tls/certificate.js'

t.test('ES256 and RS256 tokens sign and verify; tampering and alg confusion fail', async (t) => {
  const ec = generateApnsSigningKey()
  const ecPublic = createPublicKey(ec.publicKeyPem)
  const token = signJwt({ alg: 'ES256', kid: 'K1' }, { iss: 'TEAM', iat: 1 }, ec.privateKeyPem)
  const decoded = decodeJwt(token)
  t.same(decoded?.header, { alg: 'ES256', kid: 'K1' })
  t.same(decoded?.claims, { iss: 'TEAM', iat: 1 })
  t.equal(decoded?.signature.length, 64, 'r||s, not DER')
  t.ok(verifyJwtSignature(decoded!, 'ES256', ecPublic))
  t.notOk(verifyJwtSignature(decoded!, 'RS256', ecPublic), 'expected algorithm is enforced')
  const [header, , signature] = token.split('.')
  const forged = decodeJwt(`${header}.${Buffer.from('{"iss":"OTHER","iat":1}').toString('base64url')}.${signature}`)
  t.notOk(verifyJwtSignature(forged!, 'ES256', ecPublic), 'claims changed after signing')

  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const rsaToken = decodeJwt(signJwt({ alg: 'RS256', typ: 'JWT' }, { iss: 'a' }, rsa.privateKey))
  t.ok(verifyJwtSignature(rsaToken!, 'RS256', rsa.publicKey))
  t.notOk(verifyJwtSignature(rsaToken!, 'RS256', createPublicKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }))))
  t.throws(() => signJwt({ alg: 'RS256' }, {}, ec.privateKeyPem), /RS256 needs an rsa key/)
  for (const garbage of ['', 'a.b', 'a.b.c.d', '!!.??.**', `${Buffer.from('[]').toString('base64url')}.e30.`]) t.equal(decodeJwt(garbage), null, `not a JWT: ${garbage}`)
})

t.test('the self-signed certificate covers localhost and 127.0.0.1 and is shared', async (t) => {
  const certificate = await selfSignedCertificate()
  t.equal(await selfSignedCertificate(), certificate, 'generated once per process')
  const x509 = new X509Certificate(certificate.cert)
  t.match(x509.subjectAltName, /DNS:localhost/)
  t.match(x509.subjectAltName, /IP Address:127\.0\.0\.1/)
  const server = createServer({ cert: certificate.cert, key: certificate.key })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.close() })
  const { port } = server.address() as AddressInfo
  for (const servername of ['localhost', undefined]) {
    const authorized = await new Promise<boolean>((resolve, reject) => {
      // No servername: the client checks the certificate against the IP it dialled.
      const socket = connect({ host: '127.0.0.1', port, ca: certificate.cert, ...(servername === undefined ? {} : { servername }) }, () => {
        resolve(socket.authorized)
        socket.destroy()
      })
      socket.on('error', reject)
    })
    t.ok(authorized, `verified as ${servername ?? '127.0.0.1'}`)
  }
  const stranger = connect({ host: '127.0.0.1', port, servername: 'localhost' })
  const refused = await new Promise<Error>((resolve) => stranger.on('error', resolve))
  t.match(refused.message, /self[- ]signed/, 'untrusted without the ca')
})
