import type { RouteEntry } from './plugins/app/route-auth.js'

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** `/push/campaign/:id/user/add` as a regular expression of the paths it matches. */
function pathPattern (url: string): RegExp {
  const parts = url.split('/').map((part) => part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : escapeRegExp(part))
  return new RegExp(`^${parts.join('/')}$`)
}

export type AllowedMethods = (path: string) => string[]

/**
 * The methods the routes of `table` take for a concrete path (without its query), for a 405's
 * `Allow` header: what a request with another method on a known path is told to use instead.
 * Built once the route table is complete; HEAD goes with GET, as Fastify exposes it.
 */
export function allowedMethodsOf (table: RouteEntry[]): AllowedMethods {
  const byUrl = new Map<string, Set<string>>()
  for (const { method, url } of table) byUrl.set(url, (byUrl.get(url) ?? new Set()).add(method))
  const routes = [...byUrl].map(([url, methods]) => ({ pattern: pathPattern(url), methods }))
  return (path) => {
    const methods = new Set<string>()
    for (const route of routes) if (route.pattern.test(path)) for (const method of route.methods) methods.add(method)
    return [...methods].sort()
  }
}
