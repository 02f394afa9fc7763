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

/**
 * Whether a request's Host header names this machine by a loopback name: `localhost` or a
 * loopback address, with any port. Not a name under localhost: Safari asks the system's resolver
 * for those, which whoever runs the network's DNS can answer (rebinding one to 127.0.0.1).
 * A missing header (HTTP/1.0) counts as one: a browser always sends it.
 */
export function isLoopbackHostHeader (header: string | undefined): boolean {
  if (header === undefined) return true
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(header)
  const name = (bracketed?.[1] ?? header.replace(/:\d*$/, '')).toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || isLoopbackHost(name)
}
