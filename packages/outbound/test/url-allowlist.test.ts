import t from 'tap'
import { GOOGLE_TOKEN_URIS, isListedUrl, parseUrlList } from '../src/index.js'

t.test('a listed URL matches in its normal form only', async (t) => {
  t.ok(isListedUrl('https://oauth2.googleapis.com/token', GOOGLE_TOKEN_URIS))
  t.ok(isListedUrl('https://OAUTH2.googleapis.com:443/token', GOOGLE_TOKEN_URIS), 'case of the host and the default port do not matter')
  t.ok(isListedUrl('https://accounts.google.com/o/oauth2/token', GOOGLE_TOKEN_URIS))
  for (const other of [
    'http://oauth2.googleapis.com/token', 'https://oauth2.googleapis.com/token2', 'https://oauth2.googleapis.com.evil.example/token',
    'https://user:pw@oauth2.googleapis.com/token', 'https://oauth2.googleapis.com:8443/token', 'http://169.254.169.254/token', 'not a url'
  ]) t.notOk(isListedUrl(other, GOOGLE_TOKEN_URIS), other)
})

t.test('a list setting: comma-separated absolute http(s) URLs, normalised', async (t) => {
  t.same(parseUrlList(' http://127.0.0.1:9000/token , https://oauth2.googleapis.com/token'), ['http://127.0.0.1:9000/token', 'https://oauth2.googleapis.com/token'])
  t.throws(() => parseUrlList(' , '), /empty/)
  t.throws(() => parseUrlList('https://ok.example/token,ftp://x/token'), /not an absolute http\(s\) URL/)
  t.throws(() => parseUrlList('/token'))
  for (const entry of ['https://:pw@oauth2.googleapis.com/token', 'https://user@oauth2.googleapis.com/token', 'file:///etc/token', 'ws://127.0.0.1:9000/token', 'data:,token']) {
    t.throws(() => parseUrlList(entry), /not an absolute http\(s\) URL/, entry)
  }
})
