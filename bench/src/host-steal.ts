// The hypervisor's steal during each measured part of a run (cpu-usage.ts): the machine a figure
// was measured on, told apart from the code it measured.

export interface StealReading { part: string, percent: number }

// A steal above this share of the machine's CPU time shows in the figures (seen here: 11% of steal
// took single messages' p99 from 60 to 260 ms at the same CPU per message).
export const NOTABLE_STEAL_PERCENT = 2

const reading = (part: string, value: unknown): StealReading[] =>
  typeof value === 'object' && value !== null && typeof (value as { hostStealPercent?: unknown }).hostStealPercent === 'number'
    ? [{ part, percent: (value as { hostStealPercent: number }).hostStealPercent }]
    : []

/**
 * Every step's steal, by the step's name: a scenario's own, or each of its measured parts
 * (registration's two servers, the signed API's two routes, the scale-out's campaigns of its own:
 * those it reused are the campaign steps').
 */
export function stealReadings (steps: Record<string, unknown>): StealReading[] {
  return Object.entries(steps).flatMap(([name, result]) => {
    if (typeof result !== 'object' || result === null) return []
    const parts = result as { figures?: Array<{ server?: string }>, echo?: unknown, push?: unknown, runs?: Array<{ dispatchers?: number }>, reusedFromCampaignScenario?: number[] }
    const reused = new Set(parts.reusedFromCampaignScenario ?? [])
    const ownRuns = Array.isArray(parts.runs) ? parts.runs.filter((run) => !reused.has(run.dispatchers ?? -1)) : []
    return [
      ...reading(name, result),
      ...(Array.isArray(parts.figures) ? parts.figures.flatMap((figure) => reading(`${name} (${figure.server ?? '?'})`, figure)) : []),
      ...reading(`${name} (echo)`, parts.echo),
      ...reading(`${name} (push)`, parts.push),
      ...ownRuns.flatMap((run) => reading(`${name} (${run.dispatchers ?? '?'} dispatchers)`, run))
    ]
  })
}

/** One line for the run's report: the range, and the parts where steal was notable. */
export function stealSummary (readings: StealReading[]): string | undefined {
  if (readings.length === 0) return undefined
  const percents = readings.map((r) => r.percent)
  const notable = readings.filter((r) => r.percent > NOTABLE_STEAL_PERCENT)
  const range = `${Math.min(...percents)}–${Math.max(...percents)}%`
  return `Hypervisor steal (/proc/stat) during the measured parts: ${range} of the machine's CPU time. ` +
    (notable.length === 0
      ? `None above ${NOTABLE_STEAL_PERCENT}%: the figures are this machine's own.`
      : `Above ${NOTABLE_STEAL_PERCENT}% in ${notable.map((r) => `${r.part} ${r.percent}%`).join(', ')}: those figures are of a slower machine than the others (less throughput, longer tails, more CPU per unit of work).`)
}
