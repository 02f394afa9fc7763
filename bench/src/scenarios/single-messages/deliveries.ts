// What the provider mocks received against what the single-messages scenario asked for.

export interface Target { userId: string, token: string, platform: 'APNS' | 'FCM' }
export interface Sample { target: Target, scheduledEpochMs: number, roundTripMs: number, status: number, sent: boolean }

/**
 * Pairs each request with its token's arrivals at the mock, in order (a token is requested more
 * than once only when there are fewer devices than requests), and counts what is missing or extra.
 */
export function matchDeliveries (samples: Sample[], arrivals: (target: Target) => ReadonlyArray<{ at: number }>) {
  const byToken = new Map<string, Sample[]>()
  for (const sample of samples) {
    const list = byToken.get(sample.target.token)
    if (list === undefined) byToken.set(sample.target.token, [sample])
    else list.push(sample)
  }
  const latencies: number[] = []
  let missing = 0
  let extra = 0
  for (const list of byToken.values()) {
    list.sort((a, b) => a.scheduledEpochMs - b.scheduledEpochMs)
    const seen = arrivals(list[0]!.target)
    list.forEach((sample, k) => { if (seen[k] !== undefined) latencies.push(seen[k].at - sample.scheduledEpochMs) })
    missing += Math.max(0, list.length - seen.length)
    extra += Math.max(0, seen.length - list.length)
  }
  return { latencies, missing, extra }
}
