import t from 'tap'
import { formatAuthorization, newNonce, parseAuthorization } from '../src/index.js'

t.test('a nonce is 18 random bytes as base64url', async (t) => {
  const nonce = newNonce()
  t.match(nonce, /^[A-Za-z0-9_-]{24}$/)
  t.equal(Buffer.from(nonce, 'base64url').length, 18, '144 bits of entropy')
})

t.test('nonces do not repeat', async (t) => {
  const seen = new Set(Array.from({ length: 10_000 }, () => newNonce()))
  t.equal(seen.size, 10_000)
})

t.test('a nonce is accepted in an Authorization header', async (t) => {
  const nonce = newNonce()
  const header = formatAuthorization({ key: 'k', nonce, signature: 'a'.repeat(64) })
  t.equal(parseAuthorization(header).nonce, nonce)
})
