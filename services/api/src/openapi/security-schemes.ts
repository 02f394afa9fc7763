import type { RouteAuth } from '../plugins/app/access/route-auth.js'

const MAAIISDK10 = `Every request of the signed developer API (/api/1.0) carries a signature made with the
developer's key and secret (issued by \`POST /admin/developer/create\`):

    Authorization: MAAIISDK10 key="<developer key>", nonce="<nonce>", signature="<signature>"
    X-M-Date: Thu, 12 Sep 2013 18:49:58 GMT
    Content-MD5: <hex MD5 of the body>          (optional; if sent it must match the body)

The signature is the lowercase hex HMAC-SHA256, keyed with the secret, of six lines joined by \`\\n\`
(no trailing line feed):

    POST                               the method
    /api/1.0/debug/echo                the path and query exactly as sent
    2aa2f9b90fea8843a78e434dff26f6b6   lowercase hex MD5 of the body bytes ("" without a body)
    application/json                   the Content-Type header as sent ("" without one)
    Thu, 12 Sep 2013 18:49:58 GMT      the X-M-Date header (RFC 1123, GMT)
    4f2a…                              the nonce, fresh for every request

X-M-Date must be within SIGNATURE_WINDOW_SECONDS (default 300) of the server clock; each nonce is
accepted once per key. Every refusal is the same 401 with \`WWW-Authenticate: MAAIISDK10\`.
\`@beacon/signing\` (signRequest, createSignedClient) computes the headers; \`/api/1.0/debug/echo\`
tests them. Swagger UI cannot compute a signature: "Try it out" needs a value signed elsewhere.`

/** The security schemes of the document, named as the operations' requirements name them. */
export const securitySchemes = {
  basic: {
    type: 'http',
    scheme: 'basic',
    description: 'The PowerAuth-compatible API (/push, /admin, /inbox): the admin credentials (AUTH_USERNAME, AUTH_PASSWORD).'
  },
  maaiisdk10: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: MAAIISDK10
  },
  consoleSession: {
    type: 'apiKey',
    in: 'cookie',
    name: 'beacon_console',
    description: 'The admin console\'s session, set by `POST /console/api/session` (signed, HttpOnly, SameSite=Strict, ' +
      'expiring after CONSOLE_SESSION_TTL_S, or after CONSOLE_SESSION_IDLE_S without use). Only with `consoleHeader`: a request with the cookie and without the header is a 403.'
  },
  consoleHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Beacon-Console',
    description: 'Always `1`: proves the request comes from the console\'s own page (a cross-site form cannot send it, ' +
      'a cross-site fetch cannot without a CORS preflight, which the api never answers).'
  },
  inAppBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'An in-app channel token from `POST /api/1.0/im/token`, as `Authorization: Bearer <token>`.'
  },
  inAppQueryToken: {
    type: 'apiKey',
    in: 'query',
    name: 'token',
    description: 'The same in-app token as the `token` query parameter (browsers cannot set headers on a WebSocket).'
  }
} as const

export type SecurityRequirement = Record<string, string[]>

/**
 * The document's security for a route, from the authentication the route declares (route-auth.ts):
 * the same fact that decides who may call it, so the two cannot disagree. A public route says so
 * with an empty list.
 */
export function securityOf (auth: RouteAuth | undefined): SecurityRequirement[] {
  switch (auth) {
    case 'basic': return [{ basic: [] }]
    // Either requirement: Basic, or the cookie and the header together.
    case 'basic-or-console-session': return [{ basic: [] }, { consoleSession: [], consoleHeader: [] }]
    case 'console-session': return [{ consoleSession: [], consoleHeader: [] }]
    case 'signed': return [{ maaiisdk10: [] }]
    case 'in-app-token': return [{ inAppBearer: [] }, { inAppQueryToken: [] }]
    case 'none': return []
    // route-auth refuses to start with such a route; the document never calls one open.
    default: throw new Error('a route without a declared authentication cannot be documented')
  }
}
