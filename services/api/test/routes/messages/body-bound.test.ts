import t from 'tap'
import { buildApp, call } from '../../helper.js'

// The body's bound (body-size.ts) is 16 KiB of JSON counted in UTF-8 bytes, not characters:
// at exactly the bound a body is taken, one byte more is refused, and a body of few characters
// but many bytes is measured by its bytes. The rest of the bound is in send.test.ts.
const BOUND = 16 * 1024

/** A body whose JSON is `bytes` long in UTF-8, its extras made of `char` (1 or 2 bytes). */
function bodyOf (bytes: number, char: 'x' | 'é') {
  const empty = Buffer.byteLength(JSON.stringify({ title: 'Hi', extras: { blob: '' } }))
  const filler = bytes - empty
  const blob = char === 'x' ? 'x'.repeat(filler) : 'é'.repeat(Math.floor(filler / 2)) + 'x'.repeat(filler % 2)
  const body = { title: 'Hi', extras: { blob } }
  if (Buffer.byteLength(JSON.stringify(body)) !== bytes) throw new Error('the body is not the size meant')
  return body
}

// guarantee: message-body-bound
t.test('a body of exactly 16384 bytes of JSON is sent; 16385 bytes, even of 2-byte characters, is a 400 with its byte count', async (t) => {
  const { app } = await buildApp(t)
  await app.db.application.create({ data: { appId: '2', name: 'app2' } })
  const send = (body: unknown) => call(app, 'POST', '/push/message/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', message: { userId: 'alice', body } } })
  const batch = (body: unknown) => call(app, 'POST', '/push/message/batch/send', { requestObject: { appId: 2, mode: 'ASYNCHRONOUS', batch: [{ userId: 'alice', body }] } })

  for (const [what, response] of [['send', await send(bodyOf(BOUND, 'x'))], ['batch', await batch(bodyOf(BOUND, 'é'))]] as const) {
    t.equal(response.statusCode, 200, `${what}: the bound itself is taken`)
  }
  const refused: Array<[string, Awaited<ReturnType<typeof send>>, RegExp]> = [
    ['one byte over', await send(bodyOf(BOUND + 1, 'x')), /^requestObject\.message\.body takes 16385 bytes as JSON, more than 16384/],
    // About 8,200 characters: counted in characters it would pass.
    ['2-byte characters', await send(bodyOf(BOUND + 1, 'é')), /^requestObject\.message\.body takes 16385 bytes as JSON, more than 16384/],
    ['batch, 2-byte characters', await batch(bodyOf(BOUND + 2, 'é')), /^requestObject\.batch\.0\.body takes 16386 bytes as JSON, more than 16384/]
  ]
  for (const [what, response, message] of refused) {
    t.equal(response.statusCode, 400, what)
    t.match(response.json().responseObject, { code: 'ERROR_GENERIC', message }, what)
  }
  t.equal(await app.db.message.count(), 2, 'only the two bodies at the bound are stored')
})
