import t from 'tap'
import { SigningErrorCode, httpDate, parseHttpDate } from '../src/index.js'

t.test('dates are written in the RFC 1123 GMT form, to the second', async (t) => {
  t.equal(httpDate(new Date('2013-09-12T18:49:58.999Z')), 'Thu, 12 Sep 2013 18:49:58 GMT')
  t.equal(httpDate(new Date('2024-02-29T00:00:00Z')), 'Thu, 29 Feb 2024 00:00:00 GMT')
  t.equal(httpDate(new Date('2001-01-07T09:05:03+02:00')), 'Sun, 07 Jan 2001 07:05:03 GMT', 'converted to GMT, zero-padded')
})

t.test('httpDate refuses what it cannot write', async (t) => {
  t.throws(() => httpDate(new Date('nonsense')), { code: SigningErrorCode.INVALID_ARGUMENT })
  t.throws(() => httpDate(new Date('+010000-01-01T00:00:00Z')), { code: SigningErrorCode.INVALID_ARGUMENT })
})

t.test('parseHttpDate reads the RFC 1123 form back', async (t) => {
  t.equal(parseHttpDate('Thu, 12 Sep 2013 18:49:58 GMT').toISOString(), '2013-09-12T18:49:58.000Z')
  t.equal(parseHttpDate('Thu, 29 Feb 2024 23:59:59 GMT').toISOString(), '2024-02-29T23:59:59.000Z')
  const now = new Date(Math.floor(Date.now() / 1000) * 1000)
  t.equal(parseHttpDate(httpDate(now)).getTime(), now.getTime(), 'round trip')
})

t.test('parseHttpDate refuses every other form', async (t) => {
  const refused = {
    'RFC 850': 'Thursday, 12-Sep-13 18:49:58 GMT',
    asctime: 'Thu Sep 12 18:49:58 2013',
    ISO: '2013-09-12T18:49:58Z',
    'a numeric zone': 'Thu, 12 Sep 2013 18:49:58 +0000',
    'UTC instead of GMT': 'Thu, 12 Sep 2013 18:49:58 UTC',
    'a one-digit day': 'Thu, 5 Sep 2013 18:49:58 GMT',
    'lower-case names': 'thu, 12 sep 2013 18:49:58 GMT',
    'a trailing space': 'Thu, 12 Sep 2013 18:49:58 GMT ',
    'a leading space': ' Thu, 12 Sep 2013 18:49:58 GMT',
    'a missing weekday': '12 Sep 2013 18:49:58 GMT',
    'fractional seconds': 'Thu, 12 Sep 2013 18:49:58.5 GMT',
    'a wrong weekday': 'Fri, 12 Sep 2013 18:49:58 GMT',
    '30 February': 'Sat, 30 Feb 2013 18:49:58 GMT',
    'day 00': 'Sun, 00 Sep 2013 18:49:58 GMT',
    'hour 24': 'Fri, 13 Sep 2013 24:00:00 GMT',
    'minute 60': 'Thu, 12 Sep 2013 18:60:00 GMT',
    'second 60': 'Thu, 12 Sep 2013 18:49:60 GMT',
    'a two-digit-century year': 'Tue, 12 Sep 0013 18:49:58 GMT',
    'the empty string': ''
  }
  for (const [what, text] of Object.entries(refused)) {
    t.throws(() => parseHttpDate(text), { name: 'SigningError', code: SigningErrorCode.DATE_INVALID }, what)
  }
})
