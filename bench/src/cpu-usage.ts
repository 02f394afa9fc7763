import { readdirSync, readFileSync } from 'node:fs'

// /proc/<pid>/stat counts CPU time in clock ticks; Linux reports 100 per second (USER_HZ).
const TICKS_PER_SECOND = 100

/** User + system CPU seconds a process has used so far; 0 once it has exited. */
function cpuSeconds (pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}

/** Every process whose command name is `name` (e.g. all PostgreSQL backends). */
function pidsNamed (name: string): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
    try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name } catch { return false }
  })
}

export type CpuGroups = Record<string, () => number[]>

/**
 * Where the CPU went during a run, per group of processes: the services by pid, PostgreSQL and
 * NATS by name (backends come and go, so the groups are listed again at the end). The figure for
 * a group is only meaningful when nothing else runs on the machine.
 */
export function measureCpu (groups: CpuGroups) {
  const totals = (): Record<string, Map<number, number>> => Object.fromEntries(Object.entries(groups).map(([name, pids]) =>
    [name, new Map(pids().map((pid) => [pid, cpuSeconds(pid)]))]))
  const before = totals()
  return {
    stop (): Record<string, number> {
      const after = totals()
      return Object.fromEntries(Object.entries(after).map(([name, pids]) => {
        let used = 0
        for (const [pid, seconds] of pids) used += seconds - (before[name]?.get(pid) ?? 0)
        return [name, Number(used.toFixed(2))]
      }))
    }
  }
}

export const byName = (name: string) => () => pidsNamed(name)
export const byPid = (pid: number) => () => [pid]

/** CPU seconds per group as whole microseconds for each of `count` units of work. */
export function microsecondsEach (cpuSeconds: Record<string, number>, count: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpuSeconds).map(([name, seconds]) => [name, Math.round(seconds * 1e6 / count)]))
}

/** CPU seconds the whole machine has spent busy (every process, anyone's), from /proc/stat. */
function machineBusySeconds (): number {
  // cpu user nice system idle iowait irq softirq steal …: busy is all but idle and iowait.
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number)
  const [user, nice, system, , , irq, softirq, steal] = fields
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS_PER_SECOND
}

/**
 * The machine's busy CPU seconds over a run: beside the measured processes' own, it tells
 * whether something else (another run, another user) was taking the cores at the same time.
 */
export function measureMachineCpu () {
  const before = machineBusySeconds()
  return { stop: () => Number((machineBusySeconds() - before).toFixed(2)) }
}
