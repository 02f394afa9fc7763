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

/** The machine's CPU time so far by kind, in ticks, from the first line of /proc/stat. */
export interface MachineTicks { busy: number, steal: number, total: number }

/**
 * Reads `cpu user nice system idle iowait irq softirq steal …` (guest time, after steal, is
 * counted in user already). Busy is all but idle and iowait, steal included: time the hypervisor
 * gave another guest while this one had work is time the run's processes could not have, as if
 * another process had taken it (scale-out-model.ts).
 */
export function parseMachineTicks (procStat: string): MachineTicks {
  const fields = procStat.split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number)
  if (fields.length < 8 || fields.some((n) => !Number.isFinite(n))) throw new Error(`not a /proc/stat cpu line: ${procStat.split('\n')[0]}`)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number]
  const busy = user + nice + system + irq + softirq + steal
  return { busy, steal, total: busy + idle + iowait }
}

const machineTicks = () => parseMachineTicks(readFileSync('/proc/stat', 'utf8'))

/**
 * Steal between two readings, in percent of all cores' time (as `top`'s %st): the share the
 * hypervisor gave other guests. It builds up only while a core has work, so a run that keeps one of
 * two cores busy lost about twice that share of its own demand. A run with much of it measured a
 * slower machine than its code: throughput and latency fall, and CPU time per unit of work rises
 * (caches and cores shared). Ticks are 1/100 s per core: over a second or two the figure is coarse.
 */
export function stealPercent (before: MachineTicks, after: MachineTicks): number {
  const total = after.total - before.total
  return total <= 0 ? 0 : Number(((after.steal - before.steal) * 100 / total).toFixed(1))
}

/**
 * The machine's busy CPU seconds over a run: beside the measured processes' own, it tells
 * whether something else (another run, another user, another guest) was taking the cores at the
 * same time. `stealPercent` is the hypervisor's part of it, in percent of all cores' time.
 */
export function measureMachineCpu () {
  const before = machineTicks()
  return {
    stop: () => {
      const after = machineTicks()
      return { busySeconds: Number(((after.busy - before.busy) / TICKS_PER_SECOND).toFixed(2)), stealPercent: stealPercent(before, after) }
    }
  }
}
