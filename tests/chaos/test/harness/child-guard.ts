import type { ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, rmSync } from 'node:fs'

// Private servers and the services must not outlive the test process, whatever ends it: a failed
// assertion, a thrown error, tap's timeout, a signal. Teardowns stop them in order; this is the
// last resort, and it also catches children spawned before anyone could register them (a
// service still starting).
const guarded = new Map<ChildProcess, NodeJS.Signals>()
const folders = new Set<string>()

/** This process's direct children, from /proc (Linux). */
function childPids (): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // `pid (comm) state ppid …`: comm may hold spaces, so count from its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

function killEverything (): void {
  const signalled = new Set<number>()
  for (const [child, signal] of guarded) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill(signal)
      signalled.add(child.pid)
    }
  }
  for (const pid of childPids()) {
    if (signalled.has(pid)) continue
    try { process.kill(pid, 'SIGKILL') } catch {}
  }
  for (const folder of folders) {
    try { rmSync(folder, { recursive: true, force: true }) } catch {}
  }
}

process.on('exit', killEverything)
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killEverything()
    process.kill(process.pid, signal)
  })
}

/** Kills `child` with `signal` (instead of SIGKILL) when this process ends before it did. */
export function guardChild (child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  guarded.set(child, signal)
  child.once('exit', () => guarded.delete(child))
}

/** Removes `folder` when this process ends, unless `release` came first. */
export function guardFolder (folder: string): { release (): void } {
  folders.add(folder)
  return { release: () => { folders.delete(folder) } }
}

/** Resolves once `child` has exited (at once when it already has). */
export function exited (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}
