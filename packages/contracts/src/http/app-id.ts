import { Type } from 'typebox'

/** PowerAuth's own app_id column holds at most 255 characters. */
export const MAX_APP_ID_LENGTH = 255

/**
 * The characters of an application id: any text (PowerAuth accepts any string) but control
 * characters (U+0000–U+001F, U+007F–U+009F), invisible format characters (Unicode Cf: zero-width
 * spaces, bidirectional overrides — look-alikes of another id in a list), and unpaired UTF-16
 * surrogates (no text, and PostgreSQL would get U+FFFD instead); not only whitespace (PowerAuth's
 * @NotBlank); and no number written otherwise than canonically ("02", " 2", "+2", "2.0", "2e0"):
 * a PowerAuth 1.0 client reads an id into a Java `Long`, and Jackson would read each of those as
 * the application 2. Ajv compiles patterns with the `u` flag: a surrogate pair is one character.
 */
const APP_ID_PATTERN = '^(?=[\\s\\S]*\\S)(?!(?!(?:0|[1-9][0-9]*)$)\\s*[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?\\s*$)[^\\u0000-\\u001F\\u007F-\\u009F\\uD800-\\uDFFF\\p{Cf}]+$'

const APP_ID_TEXT = `1 to ${MAX_APP_ID_LENGTH} characters, not only spaces, no control or invisible format characters, a number only in canonical form`

/** An application id as text: the only form a query string has (`?appId=mobile-app`). */
export const AppIdText = Type.String({
  minLength: 1,
  maxLength: MAX_APP_ID_LENGTH,
  pattern: APP_ID_PATTERN,
  description: `an application id (${APP_ID_TEXT})`
})

/**
 * The PowerAuth application id of a request: text since PowerAuth 1.3 ("mobile-app"), a JSON
 * number before. A number means its decimal text: `2` and `"2"` are the same application.
 */
export const AppId = Type.Union([
  Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  AppIdText
], { description: `an application id: text of ${APP_ID_TEXT}, or a non-negative integer` })

const APP_ID_REGEXP = new RegExp(APP_ID_PATTERN, 'u')

/** Whether text is a valid application id (as AppIdText checks it; length in characters). */
export function isAppIdText (value: string): boolean {
  return APP_ID_REGEXP.test(value) && [...value].length <= MAX_APP_ID_LENGTH
}

/** How an id is stored and looked up: a number as its decimal text, text as it is. */
export function appIdText (value: number | string): string {
  return typeof value === 'number' ? String(value) : value
}

const CANONICAL_DECIMAL = /^(0|[1-9][0-9]{0,15})$/

/**
 * How an answer shows a stored id where the PowerAuth 1.0 API had a number (Java `Long`): a
 * number when the id is canonical decimal ("2", not "02" or "+2") and exact as a JSON number
 * (at most 2^53 − 1), the text otherwise. Newer clients read it into a `String` either way
 * (Jackson takes a number for a String field).
 */
export function appIdAnswer (stored: string): number | string {
  if (!CANONICAL_DECIMAL.test(stored)) return stored
  const numeric = Number(stored)
  return Number.isSafeInteger(numeric) ? numeric : stored
}

/** An application id in an answer: see appIdAnswer. */
export const AppIdAnswer = Type.Union([Type.Integer(), Type.String()], {
  description: 'the application id: a number when it is canonical decimal, the text otherwise'
})
