// The hypervisor's steal during each measured part of a run (cpu-usage.ts): the machine a figure
// was measured on, told apart from the code it measured.

export interface StealReading { part: string, percent: number }

// Steal above this share of all cores' time shows in the figures (seen here: 11% of it took
// single messages' p99 from 60 to 260 ms at about the same CPU per message).
export const NOTABLE_STEAL_PERCENT = 2

const stealOf = (value: unknown): number | undefined => {
  const percent = typeof value === 'object' && value !== null ? (value as { hostStealPercent?: unknown }).hostStealPercent : undefined
  return typeof percent === 'number' ? percent : undefined
}

/**
 * Every step's steal, by the step's name: a scenario's own, or each measured part it holds as a
 * property (registration's servers, the signed API's routes, by their property's name), and the
 * scale-out's campaigns of its own (those it reused are the campaign steps').
 */
export function stealReadings (steps: Record<string, unknown>): StealReading[] {
  return Object.entries(steps).flatMap(([name, result]) => {
    if (typeof result !== 'object' || result === null) return []
    const readings: StealReading[] = []
    const own = stealOf(result)
    if (own !== undefined) readings.push({ part: name, percent: own })
    for (const [key, value] of Object.entries(result)) {
      const part = stealOf(value)
      if (part !== undefined) readings.push({ part: `${name} (${key})`, percent: part })
    }
    const { runs, reusedFromCampaignScenario } = result as { runs?: unknown, reusedFromCampaignScenario?: number[] }
    const reused = new Set(reusedFromCampaignScenario ?? [])
    for (const run of Array.isArray(runs) ? runs as Array<{ dispatchers?: number }> : []) {
      const percent = stealOf(run)
      if (percent !== undefined && !reused.has(run.dispatchers ?? -1)) readings.push({ part: `${name} (${run.dispatchers ?? '?'} dispatchers)`, percent })
    }
    return readings
  })
}

/** One line for the run's report: the range, and the parts where steal was notable. */
export function stealSummary (readings: StealReading[]): string | undefined {
  if (readings.length === 0) return undefined
  const percents = readings.map((r) => r.percent)
  const notable = readings.filter((r) => r.percent > NOTABLE_STEAL_PERCENT)
  const range = `${Math.min(...percents)}–${Math.max(...percents)}%`
  return `Hypervisor steal (/proc/stat) during the measured parts: ${range} of all cores' time. ` +
    (notable.length === 0
      ? `None above ${NOTABLE_STEAL_PERCENT}%: the figures are this machine's own.`
      : `Above ${NOTABLE_STEAL_PERCENT}% in ${notable.map((r) => `${r.part} ${r.percent}%`).join(', ')}: those figures are of a slower machine than the others (less throughput, longer tails, more CPU per unit of work).`)
}
