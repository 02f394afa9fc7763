import { signRequest } from './sign-request.js'

export interface SignedClientOptions {
  /** Scheme, host and an optional path prefix, e.g. `https://push.example.com/beacon`. */
  baseUrl: string
  key: string
  secret: string | Buffer
}

export interface SignedClient {
  /**
   * Sends a signed request to `baseUrl + path` (path starts with `/`, may carry a query). A body,
   * when given, is sent as JSON. Resolves with fetch's Response whatever its status.
   */
  request (method: string, path: string, body?: unknown): Promise<Response>
}

/** A minimal fetch-based client for the MAAIISDK10-signed developer API. */
export function createSignedClient (options: SignedClientOptions): SignedClient {
  const base = options.baseUrl.replace(/(?<!\/)\/+$/, '')
  return {
    async request (method, path, body) {
      if (!path.startsWith('/')) throw new TypeError('the path must start with /')
      // Sign what fetch will send: the URL as normalised by the URL parser, and the method in
      // upper case (fetch upper-cases only GET, POST and the like, so do it for all).
      const url = new URL(base + path)
      const upperMethod = method.toUpperCase()
      const payload = body === undefined ? undefined : JSON.stringify(body)
      const headers = signRequest({
        method: upperMethod,
        uri: url.pathname + url.search,
        key: options.key,
        secret: options.secret,
        ...(payload === undefined ? {} : { body: payload, contentType: 'application/json' })
      })
      return await fetch(url, { method: upperMethod, headers: { ...headers }, body: payload })
    }
  }
}
