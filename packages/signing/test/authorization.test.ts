import t from 'tap'
import { MAX_AUTHORIZATION_LENGTH, SigningErrorCode, formatAuthorization, parseAuthorization } from '../src/index.js'

const signature = 'd11ede54e2ffa83d58a42d90c3a39132f928a46b729c4b0621ad1c854dff618f'
const header = `MAAIISDK10 key="a-demo-key", nonce="123456789", signature="${signature}"`
const params = { key: 'a-demo-key', nonce: '123456789', signature }

t.test('formatAuthorization writes the header of M800\'s guide', async (t) => {
  t.equal(formatAuthorization(params), header)
})

t.test('formatAuthorization refuses values the parser would refuse', async (t) => {
  t.throws(() => formatAuthorization({ ...params, key: 'a "quoted" key' }), { code: SigningErrorCode.INVALID_ARGUMENT })
  t.throws(() => formatAuthorization({ ...params, signature: signature.toUpperCase() }), { code: SigningErrorCode.INVALID_ARGUMENT })
})

// guarantee: nonce-key-charset
t.test('parseAuthorization reads the parameters back', async (t) => {
  t.same(parseAuthorization(header), params)
  t.same(parseAuthorization(formatAuthorization({ key: 'K.e_y~+/=-9', nonce: 'n'.repeat(128), signature })),
    { key: 'K.e_y~+/=-9', nonce: 'n'.repeat(128), signature }, 'every allowed character, the longest nonce')
  // README: 1 to 128 characters of A-Z a-z 0-9 . _ ~ + / = -, for both (the refusals are below).
  const every = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/=-'
  const accepted: Array<[string, string, string]> = [[every, every, 'every allowed character in both'], ['k'.repeat(128), 'n', 'the longest key, the shortest nonce'], ['k', 'n'.repeat(128), 'the shortest key']]
  for (const [key, nonce, what] of accepted) {
    t.same(parseAuthorization(`MAAIISDK10 key="${key}", nonce="${nonce}", signature="${signature}"`), { key, nonce, signature }, what)
  }
})

t.test('parseAuthorization tolerates only optional whitespace after commas, and any order', async (t) => {
  const variants = [
    `MAAIISDK10 key="a-demo-key",nonce="123456789",signature="${signature}"`,
    `MAAIISDK10 key="a-demo-key",  \tnonce="123456789",\tsignature="${signature}"`,
    `MAAIISDK10 signature="${signature}", nonce="123456789", key="a-demo-key"`
  ]
  for (const variant of variants) t.same(parseAuthorization(variant), params, variant)
})

// guarantee: nonce-key-charset
t.test('every malformed header is refused with its own code', async (t) => {
  const q = (value: string) => `"${value}"`
  const refused: Array<[string, string | undefined, string]> = [
    ['absent', undefined, SigningErrorCode.AUTH_HEADER_MISSING],
    ['empty', '', SigningErrorCode.AUTH_HEADER_MISSING],
    ['too long', header + ' '.repeat(MAX_AUTHORIZATION_LENGTH), SigningErrorCode.AUTH_HEADER_TOO_LONG],
    ['another scheme', header.replace('MAAIISDK10', 'Basic'), SigningErrorCode.AUTH_SCHEME_INVALID],
    ['the scheme in lower case', header.replace('MAAIISDK10', 'maaiisdk10'), SigningErrorCode.AUTH_SCHEME_INVALID],
    ['a newer scheme version', header.replace('MAAIISDK10', 'MAAIISDK11'), SigningErrorCode.AUTH_SCHEME_INVALID],
    ['the scheme glued to its parameters', header.replace('MAAIISDK10 ', 'MAAIISDK10'), SigningErrorCode.AUTH_SCHEME_INVALID],
    ['leading whitespace', ' ' + header, SigningErrorCode.AUTH_SCHEME_INVALID],
    ['the scheme alone', 'MAAIISDK10 ', SigningErrorCode.AUTH_PARAMS_MALFORMED],
    ['two spaces after the scheme', header.replace('MAAIISDK10 ', 'MAAIISDK10  '), SigningErrorCode.AUTH_PARAMS_MALFORMED],
    ['space before =', header.replace('key=', 'key ='), SigningErrorCode.AUTH_PARAMS_MALFORMED],
    ['space after =', header.replace('key=', 'key= '), SigningErrorCode.AUTH_PARAM_UNQUOTED],
    ['space before a comma', header.replace('", nonce', '" , nonce'), SigningErrorCode.AUTH_PARAMS_MALFORMED],
    ['a trailing comma', header + ',', SigningErrorCode.AUTH_PARAMS_MALFORMED],
    ['trailing whitespace', header + ' ', SigningErrorCode.AUTH_PARAMS_MALFORMED],
    ['a semicolon separator', header.replaceAll(', ', '; '), SigningErrorCode.AUTH_PARAMS_MALFORMED],
    ['an unquoted value', header.replace('"123456789"', '123456789'), SigningErrorCode.AUTH_PARAM_UNQUOTED],
    ['single quotes', header.replace('"123456789"', "'123456789'"), SigningErrorCode.AUTH_PARAM_UNQUOTED],
    ['an unterminated quote', header.slice(0, -1), SigningErrorCode.AUTH_PARAM_UNQUOTED],
    ['a quote closed too late', header.replace('"123456789"', '"123456789'), SigningErrorCode.AUTH_PARAMS_MALFORMED],
    ['an escaped quote', header.replace('"a-demo-key"', '"a-\\"demo-key"'), SigningErrorCode.AUTH_PARAMS_MALFORMED],
    ['an unknown parameter', `${header}, realm="beacon"`, SigningErrorCode.AUTH_PARAM_UNKNOWN],
    ['a parameter name in another case', header.replace('key=', 'Key='), SigningErrorCode.AUTH_PARAM_UNKNOWN],
    ['a duplicate parameter', `${header}, nonce="987654321"`, SigningErrorCode.AUTH_PARAM_DUPLICATE],
    ['a missing signature', 'MAAIISDK10 key="a-demo-key", nonce="123456789"', SigningErrorCode.AUTH_PARAM_MISSING],
    ['a missing key', `MAAIISDK10 nonce="123456789", signature=${q(signature)}`, SigningErrorCode.AUTH_PARAM_MISSING],
    ['an empty key', header.replace('"a-demo-key"', '""'), SigningErrorCode.AUTH_KEY_INVALID],
    ['a key with a space', header.replace('"a-demo-key"', '"a demo key"'), SigningErrorCode.AUTH_KEY_INVALID],
    ['a key with a non-ASCII letter', header.replace('"a-demo-key"', '"ä-demo-key"'), SigningErrorCode.AUTH_KEY_INVALID],
    ['a key of 129 characters', header.replace('"a-demo-key"', q('k'.repeat(129))), SigningErrorCode.AUTH_KEY_INVALID],
    ['an empty nonce', header.replace('"123456789"', '""'), SigningErrorCode.AUTH_NONCE_INVALID],
    ['a nonce with a comma', header.replace('"123456789"', '"123,456"'), SigningErrorCode.AUTH_NONCE_INVALID],
    ['a nonce of 129 characters', header.replace('"123456789"', q('n'.repeat(129))), SigningErrorCode.AUTH_NONCE_INVALID],
    ['an upper-case signature', header.replace(signature, signature.toUpperCase()), SigningErrorCode.AUTH_SIGNATURE_INVALID],
    ['a short signature', header.replace(signature, signature.slice(1)), SigningErrorCode.AUTH_SIGNATURE_INVALID],
    ['a long signature', header.replace(signature, signature + '0'), SigningErrorCode.AUTH_SIGNATURE_INVALID],
    ['a base64 signature', header.replace(signature, Buffer.from(signature, 'hex').toString('base64')), SigningErrorCode.AUTH_SIGNATURE_INVALID]
  ]
  for (const [what, value, code] of refused) {
    t.throws(() => parseAuthorization(value), { name: 'SigningError', code }, what)
  }
})
