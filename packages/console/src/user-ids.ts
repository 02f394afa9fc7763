/**
 * A campaign's users from a file the operator picks: one user id per line, or a CSV whose first
 * column is the user id. Read as a stream and handed on in batches, so that a file of a million
 * ids never sits in the page's memory as one string or one array (the campaign's `user/add`
 * takes at most 100,000 ids per call; the console sends BATCH_SIZE at a time).
 */
export interface UserIdFileSummary {
  /** Ids handed on. */
  ids: number
  /** Lines skipped: a header row, or an id the API would refuse (over 255 characters, a NUL). */
  rejected: number
  /** The first few rejected lines' numbers (1-based), for the operator. */
  rejectedLines: number[]
}

export const BATCH_SIZE = 10_000
const MAX_USER_ID_LENGTH = 255
const HEADERS = new Set(['userid', 'user_id', 'user id', 'user'])
/**
 * The most of a line kept while waiting for its end. Its id is in its first field: 255 characters,
 * 512 quoted with every quote doubled; a first field not ended by then is too long whatever
 * follows. Keeping all of a long line (a file of ids joined by commas) made every chunk decode,
 * join and split a longer text again: 15 s for a 2 MB line in 1 KB chunks.
 */
const LINE_KEPT = 4096

/** The user id a line holds, or '' for a blank one: the first CSV field, unquoted and trimmed. */
export function userIdOfLine (line: string): string {
  const text = line.trim()
  if (text.startsWith('"')) {
    // A quoted field: "" inside is a quote; it ends at the next lone quote.
    let value = ''
    for (let i = 1; i < text.length; i++) {
      if (text[i] === '"') {
        if (text[i + 1] === '"') { value += '"'; i++; continue }
        break
      }
      value += text[i]
    }
    return value.trim()
  }
  const end = text.search(/[,;\t]/)
  return (end === -1 ? text : text.slice(0, end)).trim()
}

/**
 * Splits `stream` (a file's bytes, UTF-8) into batches of user ids. A first line that names the
 * column (`userId`, `user_id`, `user id`, `user`) is a header and is skipped.
 */
export async function * readUserIds (stream: ReadableStream<Uint8Array>, batchSize = BATCH_SIZE): AsyncGenerator<string[], UserIdFileSummary> {
  const decoder = new TextDecoder('utf-8')
  const reader = stream.getReader()
  const summary: UserIdFileSummary = { ids: 0, rejected: 0, rejectedLines: [] }
  let batch: string[] = []
  let rest = ''
  let lineNumber = 0
  // In the rest of an over-long line, whose start is in `rest`: dropped up to the line's end.
  let skipping = false
  const take = (line: string): string[] | undefined => {
    lineNumber++
    const id = userIdOfLine(lineNumber === 1 ? line.replace(/^\uFEFF/, '') : line)
    if (id === '') return undefined
    if ((lineNumber === 1 && HEADERS.has(id.toLowerCase())) || id.length > MAX_USER_ID_LENGTH || id.includes('\u0000')) {
      summary.rejected++
      if (summary.rejectedLines.length < 10) summary.rejectedLines.push(lineNumber)
      return undefined
    }
    batch.push(id)
    summary.ids++
    if (batch.length < batchSize) return undefined
    const full = batch
    batch = []
    return full
  }
  try {
    for (;;) {
      const { done, value } = await reader.read()
      let text = done ? decoder.decode() : decoder.decode(value, { stream: true })
      if (skipping) {
        const end = text.search(/[\r\n]/)
        skipping = end === -1
        text = skipping ? '' : text.slice(end)
      }
      text = rest + text
      // A \r at the end may be the first half of a \r\n: it waits for the next chunk.
      const held = !done && text.endsWith('\r') ? '\r' : ''
      if (held !== '') text = text.slice(0, -1)
      const lines = text.split(/\r?\n|\r/)
      // The last piece may be a line cut in two by the chunk boundary: kept for the next chunk.
      rest = done ? '' : lines.pop() ?? ''
      if (rest.length > LINE_KEPT) {
        rest = rest.slice(0, LINE_KEPT)
        // A held \r ended the line: nothing of it is left to drop.
        skipping = held === ''
      }
      rest += held
      for (const line of lines) {
        const full = take(line)
        if (full !== undefined) yield full
      }
      if (done) break
    }
  } finally {
    reader.releaseLock()
  }
  if (batch.length > 0) yield batch
  return summary
}
