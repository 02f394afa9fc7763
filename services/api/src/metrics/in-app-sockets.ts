import { gauge } from '@beacon/metrics'

// Each api in the process (tests build many) adds how it counts its open sockets.
const sources = new Set<() => number>()

gauge({
  name: 'beacon_inapp_sockets_open',
  help: 'In-app channel WebSockets open on this api instance',
  collect () {
    let open = 0
    for (const count of sources) open += count()
    this.set(open)
  }
})

/** Counts `open()` in the gauge until the returned function is called (the api closes). */
export function countInAppSockets (open: () => number): () => void {
  sources.add(open)
  return () => { sources.delete(open) }
}
