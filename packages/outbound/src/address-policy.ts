import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

/**
 * How an IP address is treated: `public` (global unicast), `private` (reachable inside a network
 * but never a third party's server: loopback, RFC 1918, link-local, unique-local, CGNAT), or
 * `special` (unspecified, multicast, broadcast, reserved, documentation, transition forms …),
 * which no outbound request has a reason to reach.
 */
export type AddressCategory = 'public' | 'private' | 'special'

export interface AddressClass {
  /** ipaddr.js's name of the range (`loopback`, `private`, `linkLocal`, `uniqueLocal`, `unicast`, …). */
  range: string
  category: AddressCategory
}

export interface DestinationPolicy {
  /** Allow the `private` category (local development, the tests' receivers). Default false. */
  allowPrivateNetworks?: boolean
}

// ipaddr.js names of the ranges a private network uses; every other non-unicast range is special.
const PRIVATE_RANGES = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat'])
// Cloud instance-metadata and credential services hand out credentials to whoever asks from the
// machine: refused even when private networks are allowed. All of IPv4 link-local (169.254/16:
// AWS/GCP/Azure metadata, ECS task credentials, EKS pod identity, Tencent) is refused with them,
// and the known ones elsewhere: AWS over IPv6 (metadata, pod identity), GCP over IPv6, Alibaba,
// Azure's WireServer (a public address, refused whatever the policy).
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', 'fd00:ec2::23', 'fd20:ce::254', '100.100.100.200', '168.63.129.16'])
const LINK_LOCAL_V4 = ipaddr.parseCIDR('169.254.0.0/16')
// IANA allocates global unicast IPv6 from 2000::/3 only; anything else ipaddr.js calls
// "unicast" (e.g. the deprecated IPv4-compatible ::a.b.c.d) is not a public server.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3')

function classifyV4 (address: ipaddr.IPv4): AddressClass {
  const range = address.range()
  if (range === 'unicast') return { range, category: 'public' }
  return { range, category: PRIVATE_RANGES.has(range) ? 'private' : 'special' }
}

/**
 * The class of an IP address (v4 or v6, without brackets). IPv4-mapped IPv6 (::ffff:127.0.0.1)
 * is classified as the IPv4 address it reaches; so is the dotted IPv4-compatible form
 * (::127.0.0.1), which ipaddr.js reads as mapped. The hexadecimal IPv4-compatible form
 * (::7f00:1, as resolvers and URLs write it) is never public. Throws for text that is not an IP.
 */
export function classifyAddress (text: string): AddressClass {
  const address = ipaddr.parse(text)
  if (address.kind() === 'ipv4') return classifyV4(address as ipaddr.IPv4)
  const v6 = address as ipaddr.IPv6
  if (v6.isIPv4MappedAddress()) return classifyV4(v6.toIPv4Address())
  const range = v6.range()
  if (range !== 'unicast') return { range, category: PRIVATE_RANGES.has(range) ? 'private' : 'special' }
  if (!v6.match(GLOBAL_UNICAST_V6)) {
    const compatible = v6.parts.slice(0, 6).every((part) => part === 0)
    return { range: compatible ? 'ipv4Compatible' : 'notGlobalUnicast', category: 'special' }
  }
  return { range, category: 'public' }
}

/**
 * Whether `address` may be connected to under `policy`; with the class, for the refusal. Text
 * that is not an address ipaddr.js reads (an IPv6 zone id, say) is refused, never thrown.
 */
export function allowsAddress (address: string, policy: DestinationPolicy = {}): { allowed: boolean, range: string } {
  let canonical: ipaddr.IPv4 | ipaddr.IPv6
  let verdict: AddressClass
  try {
    // Compared in canonical form: ::ffff:a9fe:a9fe is 169.254.169.254 too.
    canonical = ipaddr.process(address)
    verdict = classifyAddress(address)
  } catch {
    return { allowed: false, range: 'unparseable' }
  }
  if (METADATA_ADDRESSES.has(canonical.toString()) || (canonical.kind() === 'ipv4' && (canonical as ipaddr.IPv4).match(LINK_LOCAL_V4 as [ipaddr.IPv4, number]))) {
    return { allowed: false, range: 'instanceMetadata' }
  }
  if (verdict.category === 'public') return { allowed: true, range: verdict.range }
  return { allowed: verdict.category === 'private' && policy.allowPrivateNetworks === true, range: verdict.range }
}

/** `[::1]` (a URL's hostname) as `::1`; other host names as they are. */
export function unbracket (host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/**
 * Whether `host` (a URL hostname, brackets allowed) is an IP literal, decided as node:net decides
 * it: net connects to such a host directly, without the `lookup` that checks names.
 */
export function isIpLiteral (host: string): boolean {
  return isIP(unbracket(host)) !== 0
}
