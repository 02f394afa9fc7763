/**
 * PowerAuth's develop client (1.10.0-SNAPSHOT, commit 8e32a9a) removes credentials with
 * `deleteImpl("/admin/app/apns?appId=" + appId)` (and `fcm`, `hms`), and its REST client hands
 * that text to WebClient's `UriBuilder.path()`, which encodes the `?` as `%3F`: the request
 * arrives as `DELETE /admin/app/apns%3FappId=mobile-app`, a path without a query (PowerAuth's own
 * server maps only `admin/app/apns` with `@RequestParam appId`: it has no endpoint there either). That shape alone — DELETE, one of the three paths, no query of its own —
 * is read as the query it was meant to be. The appId was encoded as a path is (a space as `%20`,
 * `+` and `&` kept as they are), so it is decoded whole and encoded again as a query value.
 */
const PATH_WITH_ENCODED_QUERY = /^\/admin\/app\/(apns|fcm|hms)%3[Ff]appId=([^?#]*)$/

export function powerauthClientUrl (method: string | undefined, url: string): string {
  if (method !== 'DELETE') return url
  const match = PATH_WITH_ENCODED_QUERY.exec(url)
  if (match === null) return url
  let appId: string
  try {
    appId = decodeURIComponent(match[2] as string)
  } catch {
    return url // a malformed encoding: answered as any malformed URL is
  }
  return `/admin/app/${match[1] as string}?appId=${encodeURIComponent(appId)}`
}
