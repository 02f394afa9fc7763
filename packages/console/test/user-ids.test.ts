import t from 'tap'
import { BATCH_SIZE, readUserIds, type UserIdFileSummary } from '../src/user-ids.js'

const encoder = new TextEncoder()

/** A stream of `parts`, each one chunk: text is UTF-8 encoded, bytes pass as they are. */
function streamOf (parts: Array<string | Uint8Array>): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream<Uint8Array>({
    pull (controller) {
      if (i === parts.length) { controller.close(); return }
      const part = parts[i++]!
      controller.enqueue(typeof part === 'string' ? encoder.encode(part) : part)
    }
  })
}

/** Every chunk of `bytes` `size` bytes long (the last shorter): splits land anywhere, mid-character too. */
function sliced (text: string, size: number): Uint8Array[] {
  const bytes = encoder.encode(text)
  const parts: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size))
  return parts
}

/** Every batch, and the summary the generator returns. */
async function readAll (stream: ReadableStream<Uint8Array>, batchSize?: number): Promise<{ batches: string[][], summary: UserIdFileSummary }> {
  const batches: string[][] = []
  const reader = readUserIds(stream, batchSize)
  for (;;) {
    const next = await reader.next()
    if (next.done === true) return { batches, summary: next.value }
    batches.push(next.value)
  }
}

const idsOf = async (parts: Array<string | Uint8Array>) => (await readAll(streamOf(parts))).batches.flat()

t.test('LF, CRLF and CR line ends, mixed in one file', async (t) => {
  t.same(await idsOf(['a\nb\n']), ['a', 'b'], 'LF')
  t.same(await idsOf(['a\r\nb\r\n']), ['a', 'b'], 'CRLF: no empty line between, no \\r left on an id')
  t.same(await idsOf(['a\rb\rc']), ['a', 'b', 'c'], 'CR (old Mac)')
  t.same(await idsOf(['a\r\nb\nc\rd']), ['a', 'b', 'c', 'd'], 'mixed, last line without an end')
})

t.test('a \\r\\n split across chunks is one line end', async (t) => {
  const { batches, summary } = await readAll(streamOf(['a\r', '\nb\r', '\nc']))
  t.same(batches.flat(), ['a', 'b', 'c'])
  t.same(summary, { ids: 3, rejected: 0, rejectedLines: [] }, 'no blank line counted in between')
  t.same(await idsOf(['a\r', 'b']), ['a', 'b'], 'a \\r then another line: the \\r was a line end')
  t.same(await idsOf(['a\r']), ['a'], 'a \\r in the last chunk')
  // Line numbers stay right across the split: line 3 is the over-long one.
  const long = 'x'.repeat(256)
  t.same((await readAll(streamOf(['a\r', '\nb\r', `\n${long}\r`, '\n']))).summary.rejectedLines, [3])
})

t.test('quoted CSV fields: commas inside, doubled quotes, other columns after', async (t) => {
  t.same(await idsOf(['"a,b",x\n', '"say ""hi""";y\n', 'plain,other,"col"\n', ' spaced \t9\n']),
    ['a,b', 'say "hi"', 'plain', 'spaced'])
})

t.test('a header row is skipped on the first line only, BOM or not', async (t) => {
  for (const header of ['userId', 'user_id', 'User ID', 'USER', '"user_id",name']) {
    const { batches, summary } = await readAll(streamOf([`${header}\nu1\n`]))
    t.same(batches.flat(), ['u1'], `header ${header}`)
    t.same(summary, { ids: 1, rejected: 1, rejectedLines: [1] })
  }
  t.same(await idsOf(['u1\nuser\n']), ['u1', 'user'], 'on a later line, "user" is a user id')
  t.same(await idsOf(['\uFEFFuserId\r\nu1\r\n']), ['u1'], 'a BOM before the header')
  t.same(await idsOf(['\uFEFFu1\nu2']), ['u1', 'u2'], 'a BOM before the first id is not part of it')
  t.same(await idsOf([new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf, 0x75, 0x31])]), ['u1'], 'a BOM split across chunks')
})

t.test('blank lines are skipped but still counted in line numbers', async (t) => {
  const long = 'y'.repeat(256)
  const { batches, summary } = await readAll(streamOf(['\n\nu1\n   \n\r\n', `${long}\n\nu2\n\n`]))
  t.same(batches.flat(), ['u1', 'u2'])
  t.same(summary, { ids: 2, rejected: 1, rejectedLines: [6] }, 'the over-long id is on line 6')
})

t.test('over-long ids and NULs are rejected with their line numbers; 255 characters pass', async (t) => {
  const ok = 'k'.repeat(255)
  const lines = ['u1', 'z'.repeat(256), ok, 'a\u0000b', ...Array.from({ length: 12 }, () => 'w'.repeat(300)), 'u2']
  const { batches, summary } = await readAll(streamOf([lines.join('\n')]))
  t.same(batches.flat(), ['u1', ok, 'u2'])
  t.equal(summary.rejected, 14, 'every rejected line counted')
  t.same(summary.rejectedLines, [2, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'the first ten line numbers, 1-based')
  // 255 characters of 3-byte UTF-8 are 765 bytes: the limit is on characters, as the API's.
  t.same(await idsOf(['€'.repeat(255)]), ['€'.repeat(255)])
})

t.test('multi-byte UTF-8 split across chunks, at every byte', async (t) => {
  const ids = ['žluťoučký', '日本語ユーザー', '😀emoji😀', 'ασδφ', 'plain']
  const text = ids.join('\r\n') + '\r\n'
  for (const size of [1, 2, 3, 5, 7]) t.same(await idsOf(sliced(text, size)), ids, `${size}-byte chunks`)
})

t.test('batches are never over the size, and the last holds the rest', async (t) => {
  const ids = Array.from({ length: 23 }, (_, i) => `u${i}`)
  const { batches, summary } = await readAll(streamOf(sliced(ids.join('\n'), 4)), 5)
  t.same(batches.map((b) => b.length), [5, 5, 5, 5, 3])
  t.same(batches.flat(), ids, 'in file order, each once')
  t.equal(summary.ids, 23)
  const exact = await readAll(streamOf([ids.slice(0, 10).join('\n') + '\n']), 5)
  t.same(exact.batches.map((b) => b.length), [5, 5], 'a full last batch, and no empty one after it')
  t.same((await readAll(streamOf([]))).batches, [], 'an empty file: no batch')
  t.same((await readAll(streamOf(['\n\n']))).summary, { ids: 0, rejected: 0, rejectedLines: [] })
})

t.test('1,000,000 ids streamed in small chunks', async (t) => {
  const TOTAL = 1_000_000
  const PER_CHUNK = 700 // lines per chunk: ~10 KB, cut mid-line, as a file's stream delivers them
  const idOf = (n: number) => `user-${String(n).padStart(7, '0')}`
  let next = 0
  let pending = ''
  // Generated as it is read: the whole text never exists at once.
  const stream = new ReadableStream<Uint8Array>({
    pull (controller) {
      if (next === TOTAL && pending === '') { controller.close(); return }
      let text = pending
      for (let i = 0; i < PER_CHUNK && next < TOTAL; i++) text += `${idOf(next++)},x${next % 2 === 0 ? '\r\n' : '\n'}`
      // Hold back the last 5 characters for the next chunk, so that chunks end mid-line.
      pending = next < TOTAL ? text.slice(-5) : ''
      controller.enqueue(encoder.encode(next < TOTAL ? text.slice(0, -5) : text))
    }
  }, { highWaterMark: 0 })
  const started = performance.now()
  let count = 0
  let first: string | undefined
  let last: string | undefined
  const sizes = new Set<number>()
  let batches = 0
  let inOrder = true
  const reader = readUserIds(stream)
  let summary: UserIdFileSummary
  for (;;) {
    const step = await reader.next()
    if (step.done === true) { summary = step.value; break }
    const batch = step.value
    batches++
    sizes.add(batch.length)
    if (batch[0] !== idOf(count)) inOrder = false
    first ??= batch[0]
    last = batch.at(-1)
    count += batch.length
  }
  const ms = performance.now() - started
  t.comment(`1,000,000 ids in ${batches} batches: ${ms.toFixed(0)} ms`)
  t.equal(count, TOTAL)
  t.same(summary, { ids: TOTAL, rejected: 0, rejectedLines: [] })
  t.equal(first, 'user-0000000')
  t.equal(last, 'user-0999999')
  t.equal(batches, TOTAL / BATCH_SIZE)
  t.same([...sizes], [BATCH_SIZE], 'every batch exactly BATCH_SIZE')
  t.ok(inOrder, 'each batch starts where the previous ended')
})

t.test('an enormous line (ids separated by commas, not lines) is read at the pace of the others', async (t) => {
  // Only a line's start can hold its id: the rest of it is not kept from chunk to chunk, where
  // each chunk would add to a longer and longer text to decode, join and split again.
  const wide = Array.from({ length: 300_000 }, (_, i) => `u${i}`).join(',') // ~2 MB
  const started = performance.now()
  const { batches, summary } = await readAll(streamOf([...sliced(`${wide}\nnext\r`, 1024), 'last\n']))
  t.comment(`a 2 MB line in 1 KB chunks: ${(performance.now() - started).toFixed(0)} ms`)
  t.same(batches.flat(), ['u0', 'next', 'last'], 'its first field, then the lines after it')
  t.equal(summary.rejected, 0)
  const longFirst = `${'q'.repeat(10_000)},u1`
  const rejected = await readAll(streamOf([...sliced(`${longFirst}\r${longFirst}\n"${'q'.repeat(9000)}"\nok`, 512)]))
  t.same(rejected.batches.flat(), ['ok'], 'an over-long first field is refused however long, a lone \\r still ends its line')
  t.same(rejected.summary.rejectedLines, [1, 2, 3])
})
