import { connect, createServer, type AddressInfo, type Socket } from 'node:net'

/**
 * A TCP relay in front of a server (the test's PostgreSQL database) that can go silent the way a
 * network partition or a failed-over primary does: bytes are dropped both ways, and connections
 * are neither answered nor reset. A process on the other side learns nothing but by its own
 * timeouts. Stopping the server instead would reset the connections, which every client notices.
 */
export interface SilentNetwork {
  /** `url` (a postgresql:// or similar URL of the upstream server) with its host and port swapped for the relay's. */
  urlFor (url: string): string
  /** From now on, every connection (open or new) drops what it carries; none is closed. */
  silence (): void
  /**
   * New connections are relayed again, as to a new primary; those open during the silence stay
   * silent until they close (the old primary is gone for good).
   */
  heal (): void
  /** Connections relayed since the start, silenced or not. */
  readonly connections: number
  /** Connections that were open, or opened, during a silence. */
  readonly silenced: number
  close (): Promise<void>
}

interface Pair { client: Socket, upstream: Socket | null, silent: boolean }

export async function startSilentNetwork (upstreamHost: string, upstreamPort: number): Promise<SilentNetwork> {
  const pairs = new Set<Pair>()
  let silent = false
  let connections = 0
  let silenced = 0
  const server = createServer((client) => {
    connections++
    const pair: Pair = { client, upstream: null, silent }
    if (silent) silenced++
    pairs.add(pair)
    client.on('error', () => { client.destroy() })
    client.on('close', () => { pairs.delete(pair); pair.upstream?.destroy() })
    // A connection opened during a silence reaches nothing: what it sends is dropped.
    client.on('data', (chunk) => { if (!pair.silent) pair.upstream?.write(chunk) })
    if (pair.silent) return
    const upstream = connect(upstreamPort, upstreamHost)
    pair.upstream = upstream
    upstream.on('error', () => { upstream.destroy() })
    upstream.on('close', () => { if (!pair.silent) client.destroy() })
    upstream.on('data', (chunk) => { if (!pair.silent) client.write(chunk) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    urlFor (url) {
      const relayed = new URL(url)
      relayed.hostname = '127.0.0.1'
      relayed.port = String(port)
      return relayed.toString()
    },
    silence () {
      silent = true
      for (const pair of pairs) {
        if (!pair.silent) silenced++
        pair.silent = true
      }
    },
    heal () { silent = false },
    get connections () { return connections },
    get silenced () { return silenced },
    async close () {
      for (const pair of pairs) { pair.client.destroy(); pair.upstream?.destroy() }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
