import { createHash } from 'node:crypto'
import t from 'tap'
import { contentMd5 } from '../src/index.js'

t.test('the MD5 of the body is lowercase hex of its bytes', async (t) => {
  t.equal(contentMd5('hello'), '5d41402abc4b2a76b9719d911017c592')
  t.equal(contentMd5(Buffer.from('hello')), '5d41402abc4b2a76b9719d911017c592', 'a Buffer and its string agree')
  t.equal(contentMd5(new Uint8Array([0xff, 0x00])), createHash('md5').update(Buffer.from([0xff, 0x00])).digest('hex'))
})

t.test('a string body is hashed as UTF-8', async (t) => {
  const text = '{"text":"Grüße ✓"}'
  t.equal(contentMd5(text), createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex'))
  t.not(contentMd5(text), createHash('md5').update(Buffer.from(text, 'latin1')).digest('hex'))
})

t.test('no body and an empty body both give the empty string', async (t) => {
  t.equal(contentMd5(undefined), '')
  t.equal(contentMd5(''), '')
  t.equal(contentMd5(Buffer.alloc(0)), '')
})
