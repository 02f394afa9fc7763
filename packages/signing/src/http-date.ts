import { SigningError, SigningErrorCode } from './errors.js'

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const RFC_1123 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const MAX_LENGTH = 29 // 'Thu, 12 Sep 2013 18:49:58 GMT'

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** The RFC 1123 form of a date, in GMT, to the second: `Thu, 12 Sep 2013 18:49:58 GMT`. */
export function httpDate (date: Date): string {
  const year = date.getUTCFullYear()
  if (Number.isNaN(date.getTime()) || year < 1000 || year > 9999) {
    throw new SigningError(SigningErrorCode.INVALID_ARGUMENT, 'the date must be a valid Date with a four-digit year')
  }
  return `${DAYS[date.getUTCDay()]}, ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]} ${year} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} GMT`
}

/**
 * Parses exactly the form httpDate writes: two-digit day, English names, GMT, no other zone, no
 * RFC 850 or asctime variants, and a weekday that agrees with the date. Anything else is refused
 * rather than guessed, since the date is part of what was signed.
 */
export function parseHttpDate (text: string): Date {
  const invalid = () => new SigningError(SigningErrorCode.DATE_INVALID,
    'the date must be in the RFC 1123 form "Thu, 12 Sep 2013 18:49:58 GMT"')
  if (text.length > MAX_LENGTH) throw invalid()
  const match = RFC_1123.exec(text)
  if (match === null) throw invalid()
  const weekday = match[1]
  const [d, m, y, h, min, s] = [match[2], MONTHS.indexOf(match[3] ?? ''), match[4], match[5], match[6], match[7]]
    .map(Number) as [number, number, number, number, number, number]
  const date = new Date(Date.UTC(y, m, d, h, min, s))
  // Date.UTC rolls 31 Feb into March and 24:00 into the next day, and reads years 0-99 as 19xx;
  // comparing every field back catches all three.
  if (h > 23 || min > 59 || s > 59 || date.getUTCDate() !== d || date.getUTCMonth() !== m ||
    date.getUTCFullYear() !== y) throw invalid()
  if (DAYS[date.getUTCDay()] !== weekday) {
    throw new SigningError(SigningErrorCode.DATE_INVALID, `the weekday ${weekday} does not match the date`)
  }
  return date
}
