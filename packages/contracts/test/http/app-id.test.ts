import t from 'tap'
import { appIdAnswer, appIdText, isAppIdText } from '../../src/http/app-id.js'

t.test('appIdText: a number is its decimal text, text stays as given', async (t) => {
  t.equal(appIdText(2), '2')
  t.equal(appIdText(Number.MAX_SAFE_INTEGER), '9007199254740991')
  t.equal(appIdText('2'), '2')
  t.equal(appIdText(' Mobile-App '), ' Mobile-App ', 'no trimming, case kept')
})

t.test('appIdAnswer: a number only for canonical decimal within 2^53 − 1', async (t) => {
  t.equal(appIdAnswer('0'), 0)
  t.equal(appIdAnswer('2'), 2)
  t.equal(appIdAnswer('9007199254740991'), 9007199254740991)
  for (const text of ['02', '+2', '-2', '2.0', '1e3', ' 2', '9007199254740992', '9223372036854775807', 'mobile-app', '']) {
    t.equal(appIdAnswer(text), text, JSON.stringify(text))
  }
})

t.test('isAppIdText: 1 to 255 characters, not blank, no control or invisible format characters or lone surrogates, numbers only canonical', async (t) => {
  for (const ok of ['a', 'mobile-app', 'bank app/ü', '🚀'.repeat(255), ' x ', 'x'.repeat(255), '2', '0', '1a', '2-beta', '99999999999999999999']) t.ok(isAppIdText(ok), JSON.stringify(ok).slice(0, 30))
  for (const bad of ['', '   ', 'a\nb', 'a\u0000', 'a\u007f', 'a\u0085', 'a\ud800', 'x'.repeat(256), '🚀'.repeat(256),
    '02', ' 2', '2 ', '+2', '-2', '2.0', '2.', '.5', '2e0', '\u200b', 'mobile\u200bapp', '\u202emobile', 'a\u2060b']) {
    t.notOk(isAppIdText(bad), JSON.stringify(bad).slice(0, 30))
  }
})
