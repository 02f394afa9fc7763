import { readFileSync } from 'node:fs'

/** Resident set size of a process in bytes, from /proc (Linux); null once it has exited. */
export function rssBytes (pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? null : Number(match[1]) * 1024
  } catch {
    return null
  }
}

/** Samples the RSS of some processes every `intervalMs`; `stop()` gives each one's peak. */
export function sampleMemory (pids: Record<string, number>, intervalMs = 200) {
  const peaks: Record<string, number> = Object.fromEntries(Object.keys(pids).map((name) => [name, 0]))
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) peaks[name] = Math.max(peaks[name]!, rssBytes(pid) ?? 0)
  }, intervalMs)
  return { stop: () => { clearInterval(timer); return peaks } }
}
