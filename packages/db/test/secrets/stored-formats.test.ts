import t from 'tap'
import { DbErrorCode } from '../../src/errors.js'
import { openLegacy } from '../../src/secrets/legacy-format.js'
import { createSecretBox } from '../../src/secrets/secret-box.js'
import type { SealedPlace } from '../../src/secrets/sealed-places.js'

// Values as databases hold them, sealed once, outside Beacon, with Python's `cryptography` (48.0),
// so that a change of the format (version byte, IV length, tag position, key derivation, associated
// data) that would make stored keys unreadable fails here. The script, run with python3:
//
//   import base64
//   from cryptography.hazmat.primitives.ciphers.aead import AESGCM
//   from cryptography.hazmat.primitives.kdf.hkdf import HKDF
//   from cryptography.hazmat.primitives import hashes
//   master = bytes(range(32))
//   iv = bytes(range(0xa0, 0xac))
//   def v2(column, row, plaintext):  # version 2: HKDF-SHA256 key per column, "column:row" as AAD
//       key = HKDF(hashes.SHA256(), 32, salt=b'', info=f'beacon sealed secret v2 {column}'.encode()).derive(master)
//       sealed = AESGCM(key).encrypt(iv, plaintext.encode(), f'{column}:{row}'.encode())
//       return base64.b64encode(b'\x02' + iv + sealed[-16:] + sealed[:-16]).decode()
//   def v1(plaintext):  # version 1: MASTER_KEY itself, no AAD
//       sealed = AESGCM(master).encrypt(iv, plaintext.encode(), None)
//       return base64.b64encode(b'\x01' + iv + sealed[-16:] + sealed[:-16]).decode()
//   print(v2('developer.secret', 42, 'dev-secret-abcdefghijklmnopqrstuvwxyz'))
//   print(v2('application.apns_private_key', 7, '-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n'))
//   print(v2('application.fcm_service_account', 7, '{"type":"service_account","project_id":"beacon-test"}'))
//   print(v1('dev-secret-abcdefghijklmnopqrstuvwxyz'))

/** MASTER_KEY=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8= (bytes 0 to 31). */
const MASTER_KEY = Buffer.from('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=', 'base64')
const DEVELOPER_SECRET = 'dev-secret-abcdefghijklmnopqrstuvwxyz'

const VERSION_2: Array<{ place: SealedPlace, sealed: string, plaintext: string }> = [
  {
    place: { column: 'developer.secret', rowId: 42 },
    sealed: 'AqChoqOkpaanqKmqq1tDbBzmkvjqRG24H6gWZoYOpJYd/aN0IsC0LaS4kRhi7DsLpJN6Gek7ChhW8QjBn5NcS4if',
    plaintext: DEVELOPER_SECRET
  },
  {
    place: { column: 'application.apns_private_key', rowId: 7 },
    sealed: 'AqChoqOkpaanqKmqqxyHcb0/2Wl5QU4CeijGKNSwFqXYG7t3WWhjCP6xEyyF/9F1gqbZ0qXx7RWf0kxtfGjM443ZPIRL1KVSF+VUTZtJb9/oFwxadKX+wuaaRpfiF2MyF130dZ3b6q0=',
    plaintext: '-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n'
  },
  {
    place: { column: 'application.fcm_service_account', rowId: 7 },
    sealed: 'AqChoqOkpaanqKmqq5UcLhKR0gXG/dHK7prYyX6oFPKr1NfRHdTN07RBswCKf8RQc1Lne3Z2xA0+rjnSYxzOAX/k6LqAIObgda/XmQWvC1tAiA==',
    plaintext: '{"type":"service_account","project_id":"beacon-test"}'
  }
]

const VERSION_1 = 'AaChoqOkpaanqKmqq0PfGCrzST4azas1FTLbp3SCfQoANq5hzQcRqrJlGaS7FssxefjcLgHyYVb3DdgBdKQBP4bV'

// guarantee: stored-secrets-readable
t.test('stored version-2 values of every sealed column open to their plaintext', async (t) => {
  const box = createSecretBox(MASTER_KEY)
  for (const { place, sealed, plaintext } of VERSION_2) {
    t.equal(box.open(place, Buffer.from(sealed, 'base64')).toString('utf8'), plaintext, `${place.column}:${place.rowId}`)
  }
  // As Prisma hands them over.
  const [first] = VERSION_2
  t.equal(box.open(first!.place, new Uint8Array(Buffer.from(first!.sealed, 'base64'))).toString('utf8'), first!.plaintext, 'from a Uint8Array')
})

// guarantee: stored-secrets-readable
t.test('a stored version-1 value opens for the one-time upgrade, and only there', async (t) => {
  const place: SealedPlace = { column: 'developer.secret', rowId: 42 }
  const sealed = Buffer.from(VERSION_1, 'base64')
  t.equal(openLegacy(MASTER_KEY, place, sealed).toString('utf8'), DEVELOPER_SECRET, 'the upgrade (and a rotation before it) reads it')
  t.throws(() => createSecretBox(MASTER_KEY).open(place, sealed), { code: DbErrorCode.SECRET_LEGACY_FORMAT }, 'the secret box refuses it')
})
