import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/**
 * The kernel's ephemeral range (ip_local_port_range): the ports `listen(0)` and every outbound
 * connection's local end are given. A port chosen there and handed to a child process can be
 * taken, before the child binds it, by any of the thousands of connections the parallel test
 * groups open (CI failed so once: EADDRINUSE on 127.0.0.1:36909).
 */
export function ephemeralPortRange (): { low: number, high: number } {
  try {
    const [low = NaN, high = NaN] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (Number.isInteger(low) && Number.isInteger(high) && low <= high) return { low, high }
  } catch { /* not Linux: the IANA dynamic range */ }
  return { low: 49152, high: 65535 }
}

/** Where freePort chooses: below the ephemeral range, above the well-known and common ports. */
export function freePortRange (): { low: number, high: number } {
  const { low, high } = ephemeralPortRange()
  if (low > 12000) return { low: 10000, high: low - 1 }
  return { low: high + 1, high: 65535 }
}

const handedOut = new Set<number>()

function canListen (port: number): Promise<boolean> {
  const server = createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/**
 * A TCP port nobody listens on right now, for a process the test starts to listen on. It is
 * chosen at random outside the ephemeral range, so neither outbound connections nor `listen(0)`
 * take it meanwhile; another test process choosing the same one at the same moment is the
 * remaining (one in thousands per overlap) chance, and this process never hands a port out twice.
 */
export async function freePort ({ random = Math.random }: { random?: () => number } = {}): Promise<number> {
  const { low, high } = freePortRange()
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(random() * (high - low + 1))
    if (handedOut.has(port)) continue
    if (await canListen(port)) {
      handedOut.add(port)
      return port
    }
  }
  throw new Error(`no free TCP port found in ${low}-${high}`)
}
