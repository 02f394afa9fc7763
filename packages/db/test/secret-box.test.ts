import { randomBytes } from 'node:crypto'
import t from 'tap'
import { DbError, DbErrorCode } from '../src/errors.js'
import { createSecretBox, parseMasterKey } from '../src/secret-box.js'

const HEADER_BYTES = 1 + 12 + 16 // version, IV, GCM tag

function errorOf (fn: () => unknown): DbError {
  try {
    fn()
  } catch (error) {
    if (error instanceof DbError) return error
    throw error
  }
  throw new Error('expected a DbError, nothing was thrown')
}

t.test('seal then open gives the plaintext back', async (t) => {
  const box = createSecretBox(randomBytes(32))
  const pem = '-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg\n-----END PRIVATE KEY-----\n'
  t.equal(box.open(box.seal(pem)).toString('utf8'), pem)
  const binary = randomBytes(1000)
  t.same(box.open(box.seal(binary)), binary)
  t.equal(box.open(box.seal('')).length, 0, 'an empty secret too')
  // Prisma returns Bytes columns as Uint8Array.
  t.equal(box.open(new Uint8Array(box.seal('Uint8Array'))).toString(), 'Uint8Array')
})

t.test('the plaintext does not appear in the sealed bytes and every seal uses a new IV', async (t) => {
  const box = createSecretBox(randomBytes(32))
  const secret = 'service-account-private-key'
  const a = box.seal(secret)
  const b = box.seal(secret)
  t.equal(a.length, HEADER_BYTES + Buffer.byteLength(secret))
  t.equal(a.includes(secret), false)
  t.notSame(a.subarray(1, 13), b.subarray(1, 13), 'IVs differ')
  t.notSame(a, b, 'so do the sealed values')
})

t.test('changing any byte makes the secret unreadable', async (t) => {
  const box = createSecretBox(randomBytes(32))
  const sealed = box.seal('tamper me')
  const codes = new Set<string>()
  for (let i = 0; i < sealed.length; i++) {
    const tampered = Buffer.from(sealed)
    tampered[i] = (tampered[i] ?? 0) ^ 0x01
    codes.add(errorOf(() => box.open(tampered)).code)
  }
  t.same([...codes], [DbErrorCode.SECRET_UNREADABLE], `all ${sealed.length} positions`)
  t.equal(errorOf(() => box.open(sealed.subarray(0, HEADER_BYTES - 1))).code, DbErrorCode.SECRET_UNREADABLE, 'truncated')
  t.equal(errorOf(() => box.open(Buffer.concat([sealed, Buffer.of(0)]))).code, DbErrorCode.SECRET_UNREADABLE, 'extended')
  t.equal(errorOf(() => box.open(Buffer.alloc(0))).code, DbErrorCode.SECRET_UNREADABLE, 'empty')
})

t.test('another master key cannot open it, and the error gives nothing away', async (t) => {
  const key = randomBytes(32)
  const sealed = createSecretBox(key).seal('the secret')
  const error = errorOf(() => createSecretBox(randomBytes(32)).open(sealed))
  t.equal(error.code, DbErrorCode.SECRET_UNREADABLE)
  t.notMatch(error.message, 'the secret')
  t.notMatch(error.message, key.toString('base64'))
})

t.test('parseMasterKey accepts exactly 32 bytes of base64', async (t) => {
  const key = randomBytes(32)
  const encoded = key.toString('base64')
  t.same(parseMasterKey(encoded), key)
  t.same(parseMasterKey(`${encoded}\n`), key, 'a trailing newline from an env file is fine')

  const rejected: Record<string, string> = {
    empty: '',
    '31 bytes': randomBytes(31).toString('base64'),
    '33 bytes': randomBytes(33).toString('base64'),
    '64 bytes': randomBytes(64).toString('base64'),
    hex: key.toString('hex'),
    'not base64': `${encoded.slice(0, 20)}!!${encoded.slice(22)}`,
    'missing padding': encoded.replace(/=+$/, ''),
    'inner whitespace': `${encoded.slice(0, 10)} ${encoded.slice(10)}`
  }
  for (const [what, value] of Object.entries(rejected)) {
    const error = errorOf(() => parseMasterKey(value))
    t.equal(error.code, DbErrorCode.SECRET_KEY_INVALID, what)
    t.notMatch(error.message, value === '' ? /\0/ : value, `${what}: the key is not echoed`)
  }
})

t.test('createSecretBox refuses a key that is not 32 bytes', async (t) => {
  for (const size of [0, 16, 31, 33]) {
    t.equal(errorOf(() => createSecretBox(randomBytes(size))).code, DbErrorCode.SECRET_KEY_INVALID, `${size} bytes`)
  }
})
