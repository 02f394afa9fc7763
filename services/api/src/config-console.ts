import type { EnvReader } from '@beacon/config'
import { isLoopbackHost } from './listen-address.js'

/** The admin console's browser session (see plugins/app/console-session.ts). */
export interface ConsoleSettings {
  /** CONSOLE_COOKIE_SECURE: the session cookie is sent over HTTPS only. */
  cookieSecure: boolean
  /** CONSOLE_SESSION_TTL_S: a session ends this long after sign-in, checked by the server. */
  sessionTtlSeconds: number
}

/**
 * The cookie is `Secure` unless the api is plainly set up for local use: plain HTTP (no TLS_*) on a
 * loopback HOST. Plain HTTP on any other address is taken to sit behind a TLS-terminating proxy,
 * where the browser speaks HTTPS; a browser would drop a `Secure` cookie on a plain http:// page,
 * so such a page (docker compose on http://localhost, say) sets CONSOLE_COOKIE_SECURE=false.
 */
export function readConsole (read: EnvReader, { host, tls }: { host: string, tls: boolean }): ConsoleSettings {
  return {
    cookieSecure: read.boolean('CONSOLE_COOKIE_SECURE', tls || !isLoopbackHost(host)),
    // From 1 s (tests) to 7 days: a session outliving a week is a password left lying around.
    sessionTtlSeconds: read.integer('CONSOLE_SESSION_TTL_S', 8 * 3600, 1, 7 * 86_400)
  }
}
