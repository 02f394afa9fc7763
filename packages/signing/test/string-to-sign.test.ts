import t from 'tap'
import { SigningErrorCode, sign, stringToSign, type SignatureParts } from '../src/index.js'

// The worked example of M800's guide (seed 003).
const reference: SignatureParts = {
  method: 'POST',
  uri: '/api/1.0/debug/echo',
  contentMd5: '2aa2f9b90fea8843a78e434dff26f6b6',
  contentType: 'application/json',
  date: 'Thu, 12 Sep 2013 18:49:58 GMT',
  nonce: '123456789'
}

t.test('the reference vector signs to the documented signature', async (t) => {
  t.equal(stringToSign(reference),
    'POST\n/api/1.0/debug/echo\n2aa2f9b90fea8843a78e434dff26f6b6\napplication/json\nThu, 12 Sep 2013 18:49:58 GMT\n123456789')
  // printf 'POST\n/api/1.0/debug/echo\n2aa2f9b90fea8843a78e434dff26f6b6\napplication/json\nThu, 12 Sep 2013 18:49:58 GMT\n123456789' | openssl dgst -sha256 -hmac 'a-demo-secret' -r
  t.equal(sign('a-demo-secret', reference), 'd11ede54e2ffa83d58a42d90c3a39132f928a46b729c4b0621ad1c854dff618f')
  t.equal(sign(Buffer.from('a-demo-secret'), reference), sign('a-demo-secret', reference), 'a Buffer secret is its bytes')
})

t.test('a request without a body keeps empty MD5 and content-type lines and no trailing line feed', async (t) => {
  const parts = { ...reference, method: 'GET', uri: '/api/1.0/status?verbose=1', contentMd5: '', contentType: '' }
  const text = stringToSign(parts)
  t.equal(text, 'GET\n/api/1.0/status?verbose=1\n\n\nThu, 12 Sep 2013 18:49:58 GMT\n123456789')
  t.equal(text.split('\n').length, 6, 'six lines, two of them empty')
  t.notOk(text.endsWith('\n'))
  t.match(sign('a-demo-secret', parts), /^[0-9a-f]{64}$/)
  t.not(sign('a-demo-secret', parts), sign('a-demo-secret', { ...parts, uri: '/api/1.0/status?verbose=2' }))
})

t.test('the signature depends on every part and on the secret', async (t) => {
  const base = sign('a-demo-secret', reference)
  for (const name of Object.keys(reference) as Array<keyof SignatureParts>) {
    t.not(sign('a-demo-secret', { ...reference, [name]: reference[name] + 'x' }), base, `${name} is covered`)
  }
  t.not(sign('another-secret', reference), base)
})

t.test('a part containing a line break is refused, since it would shift the lines', async (t) => {
  for (const bad of ['a\nb', 'a\rb']) {
    t.throws(() => stringToSign({ ...reference, contentType: bad }), { name: 'SigningError', code: SigningErrorCode.INVALID_ARGUMENT })
  }
})

t.test('an empty secret is refused', async (t) => {
  t.throws(() => sign('', reference), { code: SigningErrorCode.INVALID_ARGUMENT })
  t.throws(() => sign(Buffer.alloc(0), reference), { code: SigningErrorCode.INVALID_ARGUMENT })
})
