import { isUtf8 } from 'node:buffer'

/**
 * How deep a JSON request body may nest, envelope included. Free-form fields (a message's
 * `extras`, a signed push's content) take any JSON, and what nests deeper than a few thousand
 * levels overflows the stack of the code that serialises it (`JSON.stringify` before the
 * database, the answer's serialiser): a 500 for a 10 KB body. No notification payload comes near
 * this (APNs takes 4 KB in all).
 */
export const MAX_JSON_DEPTH = 64

/** Whether a JSON text opens more than `max` objects and arrays inside each other (strings skipped). */
export function nestsDeeperThan (text: string, max: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // a backslash: the next character is escaped
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    }
  }
  return false
}

const hexUnit = (text: string, at: number) => (/^[0-9a-fA-F]{4}$/.test(text.slice(at, at + 4)) ? parseInt(text.slice(at, at + 4), 16) : -1)
const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff

/**
 * Whether a JSON text escapes half of a UTF-16 surrogate pair alone (`"\ud800"`), which UTF-8 and
 * so PostgreSQL cannot hold: a json column refused it (a 503), a text column stored U+FFFD instead,
 * the value silently changed (two user ids could become one). Raw bytes cannot carry one: the body
 * is refused unless it is valid UTF-8 (jsonBodyText).
 */
export function escapesLoneSurrogate (text: string): boolean {
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (!inString) {
      if (c === 0x22) inString = true
      continue
    }
    if (c === 0x22) { inString = false; continue }
    if (c !== 0x5c) continue
    if (text.charCodeAt(i + 1) !== 0x75) { i++; continue } // another escape (\", \\, \n…): skipped whole
    const unit = hexUnit(text, i + 2)
    i += 5
    if (isLow(unit)) return true
    if (!isHigh(unit)) continue
    if (text.charCodeAt(i + 1) !== 0x5c || text.charCodeAt(i + 2) !== 0x75 || !isLow(hexUnit(text, i + 3))) return true
    i += 6
  }
  return false
}

const hasExponent = (text: string, from: number, to: number) => {
  for (let i = from; i < to; i++) if ((text.charCodeAt(i) | 0x20) === 0x65) return true
  return false
}

/**
 * A number token outside strings that a double cannot hold: beyond ±1.8e308 (`JSON.parse` makes it
 * ±Infinity, which `JSON.stringify` stores as `null`) or so small that it becomes 0 (`1e-400`).
 * The value would be silently changed, not stored.
 */
export function holdsNumberBeyondDouble (text: string): boolean {
  let inString = false
  let start = -1
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
      continue
    }
    // A number starts with - or a digit (not the e of true or false) and goes on with - + . e E digits.
    const startsNumber = c === 0x2d || (c >= 0x30 && c <= 0x39)
    if (startsNumber || (start >= 0 && (c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45))) {
      if (start < 0) start = i
      continue
    }
    // Only a number of more than 308 characters, or with an exponent, can leave the range: the
    // others are not converted (a regular expression looking for them backtracked over long digit runs).
    if (start >= 0 && (i - start > 308 || hasExponent(text, start, i))) {
      const token = text.slice(start, i)
      const value = Number(token)
      // NaN: not a JSON number at all (1-2), left to the parser's own refusal.
      if (value === Infinity || value === -Infinity || (value === 0 && /[1-9]/.test(token.split(/[eE]/)[0]!))) return true
    }
    start = -1
    if (c === 0x22) inString = true
  }
  return false
}

/**
 * Why a JSON request body is refused before it is parsed (answered 400), or undefined. A text that
 * is not JSON at all is left to the parser, which refuses it with its own message.
 */
export function jsonBodyRefusal (text: string): string | undefined {
  // PostgreSQL text cannot hold NUL: refused here rather than failing in storage.
  if (text.includes('\\u0000')) return 'the request body contains a NUL character (\\u0000), which is not accepted'
  if (text.includes('\\u') && escapesLoneSurrogate(text)) return 'the request body contains half of a UTF-16 surrogate pair alone (an escape from \\ud800 to \\udfff not in a pair), which is not accepted'
  if (nestsDeeperThan(text, MAX_JSON_DEPTH)) return `the request body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep, which is not accepted`
  if (holdsNumberBeyondDouble(text)) return 'the request body holds a number beyond what a 64-bit floating-point number holds (its magnitude above 1.7976931348623157e308, or so small that it becomes 0), which is not accepted'
  return undefined
}

/**
 * The text of a JSON request body's bytes, or why it is refused (a 400) before it is parsed.
 * Bytes that are not UTF-8 (`FF`, or a surrogate written as UTF-8, `ED A0 80`) were decoded to
 * U+FFFD and stored so: a value silently changed, as a lone surrogate's escape was (above).
 */
export function jsonBodyText (raw: Buffer): { text: string } | { refusal: string } {
  if (!isUtf8(raw)) return { refusal: 'the request body is not valid UTF-8, which is not accepted' }
  const text = raw.toString('utf8')
  const refusal = jsonBodyRefusal(text)
  return refusal === undefined ? { text } : { refusal }
}
