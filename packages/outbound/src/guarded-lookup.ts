import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns'
import type { LookupFunction } from 'node:net'
import { allowsAddress, isIpLiteral, unbracket, type DestinationPolicy } from './address-policy.js'
import { DestinationForbiddenError } from './errors.js'
import { sharedLookups } from './shared-lookups.js'

/** dns.lookup with `all: true`: every address of a name. */
export type Resolver = (
  hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void
) => void

export interface GuardOptions extends DestinationPolicy {
  /**
   * How names are resolved (default dns.lookup, as net does); tests map names to addresses.
   * Concurrent lookups of one name share one call (sharedLookups).
   */
  resolve?: Resolver
}

const systemResolver: Resolver = (hostname, options, callback) => { dnsLookup(hostname, options, callback) }

/** The refusal of an IP literal host (`127.0.0.1`, `[::1]`), or null when it is allowed or a name. */
export function literalRefusal (host: string, policy: DestinationPolicy = {}): DestinationForbiddenError | null {
  if (!isIpLiteral(host)) return null
  const address = unbracket(host)
  const verdict = allowsAddress(address, policy)
  return verdict.allowed ? null : new DestinationForbiddenError(host, address, verdict.range)
}

/**
 * A `lookup` for net/tls connect options that resolves like dns.lookup and fails with a
 * DestinationForbiddenError when any address of the name is refused. net connects to exactly the
 * addresses this returns, so what was checked is what is connected to: a name that resolves
 * differently a moment later (DNS rebinding) cannot slip between a check and the connect. A name
 * with one refused address among allowed ones is refused whole: net may try any of them.
 */
export function guardedLookup (options: GuardOptions = {}): LookupFunction {
  const resolve = sharedLookups(options.resolve ?? systemResolver)
  return (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, '', 0)
      for (const { address } of addresses) {
        const verdict = allowsAddress(address, options)
        if (!verdict.allowed) return callback(new DestinationForbiddenError(hostname, address, verdict.range), '', 0)
      }
      if (lookupOptions.all === true) return callback(null, addresses)
      const first = addresses[0]
      if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0)
      callback(null, first.address, first.family)
    })
  }
}
