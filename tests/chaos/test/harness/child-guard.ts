import type { ChildProcess } from 'node:child_process'

// Private servers must not outlive the test process, whatever ends it: a failed assertion, a
// thrown error, tap's timeout. Teardowns stop them in order; this is the last resort.
const guarded = new Map<ChildProcess, NodeJS.Signals>()

process.on('exit', () => {
  for (const [child, signal] of guarded) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  }
})
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    for (const [child, stopSignal] of guarded) child.kill(stopSignal)
    process.kill(process.pid, signal)
  })
}

/** Kills `child` with `signal` when this process exits before it did. */
export function guardChild (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  guarded.set(child, signal)
  child.once('exit', () => guarded.delete(child))
}

/** Resolves once `child` has exited (at once when it already has). */
export function exited (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}
