/**
 * Token endpoints a Google service account names by default. `oauth2.googleapis.com/token` is in
 * every key file the console issues today; `accounts.google.com/o/oauth2/token` is in key files
 * issued before 2019, which Google still honours (and which are still in use). Both are Google's
 * own https endpoints, so accepting them opens nothing.
 */
export const GOOGLE_TOKEN_URIS: readonly string[] = Object.freeze([
  'https://oauth2.googleapis.com/token',
  'https://accounts.google.com/o/oauth2/token'
])

/** The normal form of an absolute http(s) URL without credentials, or null when it is not one. */
export function normaliseHttpUrl (text: string): string | null {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  if (url.username !== '' || url.password !== '') return null
  return url.href
}

/** What parseUrlList takes, in the words of a configuration error. */
export const URL_LIST_RULE = 'comma-separated absolute http(s) URLs'

/**
 * A comma-separated list of absolute http(s) URLs (an allowlist setting), each in its normal
 * form. Throws on an empty list or an entry that is not such a URL.
 */
export function parseUrlList (text: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')
  if (entries.length === 0) throw new Error('empty list')
  return entries.map((entry) => {
    const url = normaliseHttpUrl(entry)
    if (url === null) throw new Error(`not an absolute http(s) URL: ${entry}`)
    return url
  })
}

/** Whether `text` is, once normalised, exactly one of `allowed` (scheme, host, port, path and query). */
export function isListedUrl (text: string, allowed: readonly string[]): boolean {
  const url = normaliseHttpUrl(text)
  return url !== null && allowed.includes(url)
}
