import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { defaultReservations, reservePort } from './port-reservations.js'

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

/**
 * Where freePort chooses: below the ephemeral range (above the well-known and common ports), or
 * above it; null when it leaves no room of a thousand ports either side.
 */
export function freePortRange (): { low: number, high: number } | null {
  const { low, high } = ephemeralPortRange()
  if (low > 11000) return { low: 10000, high: low - 1 }
  if (high < 64535) return { low: high + 1, high: 65535 }
  return null
}

/** A port from listen(0): the kernel's choice, inside the ephemeral range. */
async function kernelPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
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
 * take it meanwhile, and reserved for this process's lifetime (see reservePort), so no other
 * test process hands it out while the child is starting, nor while a killed child is restarted
 * on it; this process never hands a port out twice.
 */
export async function freePort ({ random = Math.random, reservations = defaultReservations }: { random?: () => number, reservations?: string } = {}): Promise<number> {
  const range = freePortRange()
  // A kernel whose ephemeral range covers nearly every port: its choice, as before.
  if (range === null) return await kernelPort()
  const { low, high } = range
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(random() * (high - low + 1))
    if (handedOut.has(port)) continue
    if (await canListen(port) && reservePort(port, reservations)) {
      handedOut.add(port)
      return port
    }
  }
  throw new Error(`no free TCP port found in ${low}-${high}`)
}
