import { readinessAnswer, type Readiness, type ReadinessCheck } from './readiness.js'

/** What the probe reports to the log: the failing parts with their causes (never to the caller). */
export interface ReadinessLog {
  warn (details: object, message: string): void
  info (details: object | string, message?: string): void
}

export interface ReadinessProbeOptions {
  /** A check that has not answered after this has failed (default 2000). */
  timeoutMs?: number
  /** An answer is reused by the probes of the next `reuseMs` (default 1000). */
  reuseMs?: number
  /** A check running longer than this is no longer awaited but started afresh (default 5 × timeoutMs). */
  staleMs?: number
  log?: ReadinessLog
}

export interface ReadinessProbe {
  /** The parts checked, in order (a readiness names only those failing). */
  parts: readonly string[]
  check (): Promise<Readiness>
  /** The status code and body of a /readyz answer. */
  answer (): Promise<ReturnType<typeof readinessAnswer>>
}

/**
 * The readiness of a process as /readyz reports it, at a bounded cost whoever asks: the probes
 * need no credentials, so each one must not become a database query and a broker round trip.
 * - one answer serves every probe for `reuseMs`, on every listener of the process;
 * - a check still running (a database that hangs) is awaited again rather than started a second
 *   time, so a stuck part holds one connection, not one per probe (until it is 5 × the timeout old:
 *   then a fresh one is started, so that no check pins the answer for ever);
 * - a change of state is logged once, with the causes, which the answer itself never carries.
 */
export function createReadinessProbe (checks: readonly ReadinessCheck[], options: ReadinessProbeOptions = {}): ReadinessProbe {
  const { timeoutMs = 2000, reuseMs = 1000, staleMs = 5 * timeoutMs, log } = options
  // staleMs: a check without a bound of its own must not pin the answer for ever.
  const running = new Map<string, { since: number, done: Promise<unknown> }>()
  let last: { at: number, readiness: Readiness } | undefined
  let asking: Promise<Readiness> | undefined
  let failingBefore = ''

  const runOnce = (check: ReadinessCheck): Promise<unknown> => {
    const current = running.get(check.part)
    if (current !== undefined && Date.now() - current.since < staleMs) return current.done
    const run = { since: Date.now(), done: Promise.resolve().then(check.check) }
    run.done.finally(() => { if (running.get(check.part) === run) running.delete(check.part) }).catch(() => {})
    running.set(check.part, run)
    return run.done
  }

  const ask = async (): Promise<Readiness> => {
    const causes: Record<string, string> = {}
    const results = await Promise.all(checks.map(async (check) => {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs) })
      try {
        await Promise.race([runOnce(check), late])
        return undefined
      } catch (error) {
        causes[check.part] = error instanceof Error ? error.message : String(error)
        return check.part
      } finally {
        clearTimeout(timer)
      }
    }))
    const failing = results.filter((part): part is string => part !== undefined)
    const key = failing.join(',')
    if (key !== failingBefore) {
      if (failing.length > 0) log?.warn({ failing, causes }, 'not ready')
      else log?.info({ failingBefore: failingBefore.split(',') }, 'ready again')
      failingBefore = key
    }
    return { ready: failing.length === 0, failing }
  }

  const check = async (): Promise<Readiness> => {
    if (last !== undefined && Date.now() - last.at < reuseMs) return last.readiness
    asking ??= ask().then((readiness) => {
      last = { at: Date.now(), readiness }
      return readiness
    }).finally(() => { asking = undefined })
    return await asking
  }
  return { parts: checks.map((entry) => entry.part), check, answer: async () => readinessAnswer(await check()) }
}
