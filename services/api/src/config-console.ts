import type { EnvReader } from '@beacon/config'

/** The admin console's browser session (see plugins/app/access/console-session.ts). */
export interface ConsoleSettings {
  /** CONSOLE_COOKIE_SECURE: the session cookie is sent over HTTPS only. */
  cookieSecure: boolean
  /** CONSOLE_SESSION_TTL_S: a session ends this long after sign-in, checked by the server. */
  sessionTtlSeconds: number
  /** CONSOLE_SESSION_IDLE_S: a session not used for this long ends, checked by the server. */
  sessionIdleSeconds: number
}

/**
 * The cookie is `Secure` unless CONSOLE_COOKIE_SECURE=false says otherwise. Not guessed from HOST:
 * a loopback HOST is also how the api sits behind a TLS-terminating proxy on the same machine, where
 * a cookie without `Secure` would also go out over plain http:// (the proxy's redirect, a request
 * a network attacker injects). `npm start` (services/standalone), a trial on http://127.0.0.1,
 * sets it false unless given.
 */
export function readConsole (read: EnvReader): ConsoleSettings {
  return {
    cookieSecure: read.boolean('CONSOLE_COOKIE_SECURE', true),
    // From 1 s (tests) to 7 days: a session outliving a week is a password left lying around.
    sessionTtlSeconds: read.integer('CONSOLE_SESSION_TTL_S', 8 * 3600, 1, 7 * 86_400),
    // A console left open on a shared or stolen machine: 30 minutes without a request ends it.
    sessionIdleSeconds: read.integer('CONSOLE_SESSION_IDLE_S', 30 * 60, 1, 7 * 86_400)
  }
}
