import type { FastifySchema } from 'fastify'
import fp from 'fastify-plugin'

/**
 * How a route's caller proves who they are. Every route declares one; a route that declares none
 * stops the api at start-up, so that no route is ever reachable by accident.
 * - `basic`: the admin credentials alone;
 * - `basic-or-console-session`: those, or the console's session cookie with its header (the
 *   PowerAuth-compatible API, the developer admin and the console's reads; see console-session.ts);
 * - `console-session`: the console's session cookie with its header, only (who am I, logout);
 * - `signed`: a developer's MAAIISDK10 signature (the signed API);
 * - `in-app-token`: an in-app channel token issued through the signed API;
 * - `none`: deliberately public.
 */
export type RouteAuth = 'basic' | 'basic-or-console-session' | 'console-session' | 'signed' | 'in-app-token' | 'none'

export interface RouteEntry {
  method: string
  url: string
  auth: RouteAuth | undefined
  /** The schemas that validate its requests and serialise its answers (the OpenAPI tests check examples against them). */
  schema: FastifySchema | undefined
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth
  }
  interface FastifyInstance {
    /** Every route of the api with the authentication it declares (complete once the api is ready). */
    routeTable: () => RouteEntry[]
  }
}

/**
 * Marks every route registered in the calling scope with `auth` (unless the route says otherwise).
 * The scope's authentication hook and this mark go together: the scope is what the router
 * matched, so no spelling of a path can reach the route without passing the hook.
 */
export function markRoutes (scope: { addHook: (name: 'onRoute', hook: (route: { config?: object }) => void) => unknown }, auth: ScopedAuth): void {
  scope.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { auth?: RouteAuth }
    const marked = { ...config, auth: config.auth ?? auth }
    route.config = marked
    if (marked.auth === auth) scoped.add(route)
  })
}

/** The kinds of authentication a scope's hook provides; a route cannot claim them by itself. */
const SCOPED = ['basic', 'basic-or-console-session', 'console-session', 'signed'] as const satisfies readonly RouteAuth[]
type ScopedAuth = typeof SCOPED[number]
// Routes that got their scoped authentication from the scope whose hook checks it.
const scoped = new WeakSet<object>()

/** Records every route; at start-up, refuses any that declares no authentication. */
export default fp(async (app) => {
  const routes: Array<{ method: string | string[], url: string, config?: { auth?: RouteAuth }, schema?: FastifySchema }> = []
  app.addHook('onRoute', (route) => { routes.push(route) })
  const table = (): RouteEntry[] => routes.flatMap((route) =>
    [route.method].flat().map((method) => ({ method, url: route.url, auth: route.config?.auth, schema: route.schema })))
  app.decorate('routeTable', table)
  app.addHook('onReady', async () => {
    const open = table().filter((route) => route.auth === undefined)
    if (open.length > 0) {
      throw new Error(`routes without a declared authentication: ${open.map((route) => `${route.method} ${route.url}`).join(', ')}`)
    }
    // A route outside the scopes that merely says `auth: 'basic'` (or any scoped kind) would pass the check above with
    // no hook on it.
    const claimed = routes.filter((route) => (SCOPED as readonly RouteAuth[]).includes(route.config?.auth as RouteAuth) && !scoped.has(route))
    if (claimed.length > 0) {
      throw new Error(`routes that claim a scope's authentication outside its scope: ${claimed.map((route) => `${[route.method].flat().join(',')} ${route.url}`).join(', ')}`)
    }
  })
}, { name: 'route-auth' })
