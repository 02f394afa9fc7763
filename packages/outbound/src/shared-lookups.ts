import type { LookupAddress, LookupAllOptions } from 'node:dns'
import type { Resolver } from './guarded-lookup.js'

type Waiter = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void

/**
 * Lookups of the same name (and options) made while one is under way wait for that one instead of
 * starting their own. dns.lookup runs getaddrinfo on libuv's thread pool (4 threads, shared with
 * file system, crypto and zlib work), and a name whose DNS server never answers holds its thread
 * for the resolver's whole timeout and retries, whatever the connect's own timeout: one tenant's
 * many attempts to such a name would hold every thread. Shared, they hold one. Nothing is kept
 * once the lookup ends: the next one asks again, so a changed answer is seen.
 */
export function sharedLookups (resolve: Resolver): Resolver {
  const pending = new Map<string, Waiter[]>()
  return (hostname: string, options: LookupAllOptions, callback: Waiter) => {
    const key = `${hostname}\0${options.family ?? 0}\0${options.hints ?? 0}\0${options.order ?? options.verbatim ?? ''}`
    const waiting = pending.get(key)
    if (waiting !== undefined) {
      waiting.push(callback)
      return
    }
    const waiters = [callback]
    pending.set(key, waiters)
    resolve(hostname, options, (error, addresses) => {
      pending.delete(key)
      for (const waiter of waiters) waiter(error, addresses)
    })
  }
}
