import { gauge } from '@beacon/metrics'
import type { Part } from '../outage.js'

interface HealthView {
  isUp (part: Part): boolean
  /** Asks the database now (an idle dispatcher's steps would not find it gone). */
  check (): Promise<void>
}

const PARTS: readonly Part[] = ['database', 'nats']
// The dispatchers of this process (one in production; several in a test process).
const watched = new Set<HealthView>()

gauge({
  name: 'beacon_dependency_up',
  help: 'Whether the dispatcher reaches a part it needs (database, nats): 1 up, 0 down, as its health last saw it (a failed step, a disconnect, a probe; a scrape asks an idle dispatcher\'s database)',
  labelNames: ['part'] as const,
  async collect () {
    await Promise.all([...watched].map((health) => health.check()))
    this.reset()
    if (watched.size === 0) return
    for (const part of PARTS) this.set({ part }, [...watched].every((health) => health.isUp(part)) ? 1 : 0)
  }
})

/** Reports `health` in beacon_dependency_up until the returned function is called. */
export function reportDependencies (health: HealthView): () => void {
  watched.add(health)
  return () => { watched.delete(health) }
}
