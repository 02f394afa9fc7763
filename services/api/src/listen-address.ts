import { BlockList, isIP } from 'node:net'

const loopback = new BlockList()
loopback.addSubnet('127.0.0.0', 8, 'ipv4')
loopback.addAddress('::1', 'ipv6')

/**
 * Whether listening on `host` keeps the port on this machine: `localhost`, 127.0.0.0/8 or ::1
 * (in any spelling, IPv4-mapped included). Wildcards and every other address are reachable from
 * the network.
 */
export function isLoopbackHost (host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true
  const family = isIP(host)
  if (family === 0) return false
  return loopback.check(host, family === 4 ? 'ipv4' : 'ipv6')
}
