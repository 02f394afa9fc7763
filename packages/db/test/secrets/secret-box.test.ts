import { randomBytes } from 'node:crypto'
import t from 'tap'
import { sealVersion1 } from '../../../testkit/src/legacy-sealed.js'
import { DbError, DbErrorCode, SealedSecretError } from '../../src/errors.js'
import { createSecretBox, parseMasterKey } from '../../src/secrets/secret-box.js'
import type { SealedPlace } from '../../src/secrets/sealed-places.js'

const HEADER_BYTES = 1 + 12 + 16 // version, IV, GCM tag
const FCM_1: SealedPlace = { column: 'application.fcm_service_account', rowId: 1 }

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
  const apns: SealedPlace = { column: 'application.apns_private_key', rowId: 7 }
  t.equal(box.open(apns, box.seal(apns, pem)).toString('utf8'), pem)
  const binary = randomBytes(1000)
  t.same(box.open(FCM_1, box.seal(FCM_1, binary)), binary)
  t.equal(box.open(FCM_1, box.seal(FCM_1, '')).length, 0, 'an empty secret too')
  // Prisma returns Bytes columns as Uint8Array.
  t.equal(box.open(FCM_1, new Uint8Array(box.seal(FCM_1, 'Uint8Array'))).toString(), 'Uint8Array')
  t.equal(box.seal(FCM_1, 'x')[0], 2, 'version 2')
})

t.test('a value opens only for the column and row it was sealed for', async (t) => {
  const key = randomBytes(32)
  const sealed = createSecretBox(key).seal(FCM_1, 'service-account-json')
  const box = createSecretBox(Buffer.from(key))
  t.equal(box.open(FCM_1, sealed).toString(), 'service-account-json', 'another box of the same key opens it in place')
  const elsewhere: SealedPlace[] = [
    { column: 'application.fcm_service_account', rowId: 2 },
    { column: 'application.apns_private_key', rowId: 1 },
    { column: 'developer.secret', rowId: 1 },
    { column: 'application.fcm_service_account', rowId: 11 },
    { column: 'application.fcm_service_account', rowId: 0 }
  ]
  for (const place of elsewhere) {
    const error = errorOf(() => box.open(place, sealed))
    t.ok(error instanceof SealedSecretError, `${place.column}:${place.rowId}: a SealedSecretError`)
    t.equal(error.code, DbErrorCode.SECRET_UNREADABLE, `${place.column}:${place.rowId}: DB_SECRET_UNREADABLE`)
    t.match(error, { column: place.column, rowId: place.rowId }, 'it names the place it was read as')
    t.ok(error.cause instanceof Error, 'with the cipher\'s error as its cause')
    t.notMatch(error.message, 'service-account-json')
  }
})

t.test('the plaintext does not appear in the sealed bytes and every seal uses a new IV', async (t) => {
  const box = createSecretBox(randomBytes(32))
  const secret = 'service-account-private-key'
  const a = box.seal(FCM_1, secret)
  const b = box.seal(FCM_1, secret)
  t.equal(a.length, HEADER_BYTES + Buffer.byteLength(secret))
  t.equal(a.includes(secret), false)
  t.notSame(a.subarray(1, 13), b.subarray(1, 13), 'IVs differ')
  t.notSame(a, b, 'so do the sealed values')
})

t.test('changing any byte makes the secret unreadable', async (t) => {
  const box = createSecretBox(randomBytes(32))
  const sealed = box.seal(FCM_1, 'tamper me')
  const codes = new Set<string>()
  for (let i = 0; i < sealed.length; i++) {
    const tampered = Buffer.from(sealed)
    tampered[i] = (tampered[i] ?? 0) ^ 0x01
    // Byte 0 turned 2 into 3: an unknown version.
    codes.add(errorOf(() => box.open(FCM_1, tampered)).code)
  }
  t.same([...codes], [DbErrorCode.SECRET_UNREADABLE], `all ${sealed.length} positions`)
  t.equal(errorOf(() => box.open(FCM_1, sealed.subarray(0, HEADER_BYTES - 1))).code, DbErrorCode.SECRET_UNREADABLE, 'truncated')
  t.equal(errorOf(() => box.open(FCM_1, Buffer.concat([sealed, Buffer.of(0)]))).code, DbErrorCode.SECRET_UNREADABLE, 'extended')
  t.equal(errorOf(() => box.open(FCM_1, Buffer.alloc(0))).code, DbErrorCode.SECRET_UNREADABLE, 'empty')
})

t.test('a version-1 value is refused by open, even with the right key: only the migration reads it', async (t) => {
  const key = randomBytes(32)
  const legacy = sealVersion1(key, 'old secret')
  const error = errorOf(() => createSecretBox(key).open(FCM_1, legacy))
  t.equal(error.code, DbErrorCode.SECRET_LEGACY_FORMAT)
  t.match(error.message, /application\.fcm_service_account:1 has the version-1 format/)
  t.notMatch(error.message, 'old secret')
})

t.test('another master key cannot open it, and the error gives nothing away', async (t) => {
  const key = randomBytes(32)
  const sealed = createSecretBox(key).seal(FCM_1, 'the secret')
  const error = errorOf(() => createSecretBox(randomBytes(32)).open(FCM_1, sealed))
  t.equal(error.code, DbErrorCode.SECRET_UNREADABLE)
  t.notMatch(error.message, 'the secret')
  t.notMatch(error.message, key.toString('base64'))
})

t.test('a place that is not a sealed column or has no valid row id is a programming error', async (t) => {
  const box = createSecretBox(randomBytes(32))
  t.throws(() => box.seal({ column: 'developer.name' as 'developer.secret', rowId: 1 }, 'x'), RangeError)
  for (const rowId of [-1, 1.5, Number.NaN, 2 ** 53]) {
    t.throws(() => box.seal({ column: 'developer.secret', rowId }, 'x'), RangeError, `row id ${rowId}`)
  }
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
