// Issue 16's goals as rows of the run's table: each ratio computed from figures of this one run.
import { isBeaconProcess, judgeCampaignRounds, judgeLarge, judgeSendersRounds, judgeSingle, microsecondsPer, targets } from './goals.js'
import type { GoalRow } from './report.js'
import { campaignMeasured, count, dispatchersLabel, fixed, microseconds, perSecond, providerMeasured, rss, split, steal, type Round, type RunResults } from './results.js'

// A ratio to two places, or three where two would round it onto its target (0.799 read "0.80",
// not met, beside a target of 0.8).
const ratio = (n: number, target: number) => (Math.abs(n - target) < 0.005 ? fixed(n, 3) : fixed(n))

// "1.52 (median of 3 rounds: 1.47, 1.52, 1.71; …)", or "1.52 (one round; …)": one pair alone is
// what the rounds are there to avoid, so the row says so.
const ofRounds = (median: number, each: number[], target: number, detail: string) =>
  each.length === 1
    ? `${ratio(median, target)} (one round; ${detail})`
    : `${ratio(median, target)} (median of ${each.length} rounds: ${each.map((n) => ratio(n, target)).join(', ')}; ${detail})`

// Which round the median came from, when there were several.
const roundOf = (pairs: Array<{ number: number }>, middle: number) => (pairs.length === 1 ? '' : `round ${pairs[middle]!.number}: `)

export function goalRows ({ peer, senders, campaigns, single, large, scaleOut, rounds: measuredRounds }: RunResults): { rows: GoalRow[], judged: Record<string, unknown> } {
  const rows: GoalRow[] = []
  const judged: Record<string, unknown> = {}
  // Each round's scenarios are compared with the peer of the same round.
  const rounds: Round[] = measuredRounds ?? [{ peer, senders, campaigns }]
  // Numbered as run (1 = the first round), kept through the filtering.
  const withPeer = rounds.flatMap((round, index) => round.peer === undefined ? [] : [{ ...round, peer: round.peer, number: index + 1 }])

  for (const dispatchers of [...new Set(rounds.flatMap((round) => round.campaigns.map((campaign) => campaign.dispatchers)))]) {
    const pairs = withPeer.flatMap((round) => round.campaigns.filter((campaign) => campaign.dispatchers === dispatchers).map((campaign) => ({ campaign, peer: round.peer, number: round.number })))
    if (pairs.length === 0) continue
    const label = dispatchersLabel(dispatchers)
    const goal = judgeCampaignRounds(pairs.map((pair) => ({ campaign: campaignMeasured(pair.campaign), peer: providerMeasured(pair.peer) })))
    judged[`campaign, ${label}`] = goal
    const middle = pairs[goal.middle]!.campaign
    const middleGoal = goal.rounds[goal.middle]!
    const own = Object.fromEntries(Object.entries(middle.cpuSeconds).filter(([name]) => isBeaconProcess(name))
      .map(([name]) => [name, microsecondsPer(middle.cpuSeconds, middle.users, (other) => other === name)]))
    const which = roundOf(pairs, goal.middle)
    rows.push({
      goal: `1. campaign, ${label}: Beacon's CPU per notification ÷ the peer's`,
      measured: ofRounds(goal.cpuOverPeer, goal.rounds.map((round) => round.cpuOverPeer), targets.campaignCpuOverPeer,
        `${which}Beacon ${microseconds(middleGoal.ownMicroseconds)}: ${split(own)}; peer ${microseconds(middleGoal.peerMicroseconds)}`),
      target: `≤ ${targets.campaignCpuOverPeer}`,
      met: goal.cpuMet
    }, {
      goal: `1. campaign, ${label}: throughput ÷ the peer's`,
      measured: ofRounds(goal.rateOverPeer, goal.rounds.map((round) => round.rateOverPeer), targets.campaignRateOverPeer,
        pairs.map((pair) => `${perSecond(pair.campaign.notificationsPerSecond)} ÷ ${perSecond(pair.peer.notificationsPerSecond)}`).join(', ')),
      target: `≥ ${targets.campaignRateOverPeer}`,
      met: goal.rateMet
    })
  }

  const senderPairs = withPeer.flatMap((round) => round.senders === undefined ? [] : [{ senders: round.senders, peer: round.peer, number: round.number }])
  if (senderPairs.length > 0) {
    const goal = judgeSendersRounds(senderPairs.map((pair) => ({ senders: providerMeasured(pair.senders), peer: providerMeasured(pair.peer) })))
    judged.senders = goal
    const middle = senderPairs[goal.middle]!
    const middleGoal = goal.rounds[goal.middle]!
    const which = roundOf(senderPairs, goal.middle)
    rows.push({
      goal: "2. the dispatcher's senders alone ÷ the peer",
      measured: ofRounds(goal.rateOverPeer, goal.rounds.map((round) => round.rateOverPeer), targets.sendersRateOverPeer,
        `${which}${perSecond(middle.senders.notificationsPerSecond)} ÷ ${perSecond(middle.peer.notificationsPerSecond)}; CPU per notification: senders ${microseconds(middleGoal.sendersMicroseconds)}, peer ${microseconds(middleGoal.peerMicroseconds)}`),
      target: `≥ ${targets.sendersRateOverPeer}`,
      met: goal.met
    })
  }

  if (single !== undefined) {
    const goal = judgeSingle({ requests: single.requests, achievedPerSecond: single.achievedPerSecond, p99Ms: single.deliveryLatencyMs?.p99, cpuSeconds: single.cpuSeconds, deliveredOnceEach: single.deliveredOnceEach, errors: single.errors })
    judged.single = goal
    const correctness = goal.correct ? 'each delivered once, no errors' : `**missing ${single.missingAtMock}, extra ${single.extraAtMock}, errors ${JSON.stringify(single.errors)}**`
    rows.push({
      goal: `3. single messages, ${targets.singleOfferedPerSecond} requests/s offered: achieved`,
      measured: `${perSecond(single.achievedPerSecond)}; ${correctness}`,
      target: `${targets.singleOfferedPerSecond}/s (≥ ${targets.singleOfferedPerSecond * targets.singleAchievedShare}/s counted from the first call to the last answer)`,
      met: goal.rateMet && goal.correct
    }, {
      goal: '3. single messages: API call → provider p99',
      measured: `${single.deliveryLatencyMs?.p99 ?? '–'} ms (p50 ${single.deliveryLatencyMs?.p50 ?? '–'} ms; round trip p99 ${single.roundTripMs?.p99 ?? '–'} ms${steal(single.hostStealPercent)})`,
      target: `< ${targets.singleP99Ms} ms`,
      met: goal.latencyMet
    }, {
      goal: '3. single messages: CPU per message, all processes',
      measured: `${fixed(goal.cpuMs)} ms (${split(goal.split, 2)}; Beacon's own ${fixed(goal.beaconCpuMs)} ms)`,
      target: `≤ ${targets.singleCpuMs} ms`,
      met: goal.cpuMet
    })
  }

  if (large !== undefined) {
    const goal = judgeLarge(large)
    judged.large = goal
    const unjudged = goal.timeMet === undefined ? ` (not judged: the goal is for ${count(targets.largeUsers)} users)` : ''
    rows.push({
      goal: `4. ${count(large.users)}-user campaign, ${dispatchersLabel(large.dispatchers)}: time`,
      measured: `${large.seconds} s (${perSecond(large.notificationsPerSecond)}), every device once${unjudged}`,
      target: `≤ ${targets.largeSeconds} s at ${count(targets.largeUsers)} users`,
      met: goal.timeMet
    }, {
      goal: `4. ${count(large.users)}-user campaign: peak RSS of each process`,
      measured: rss(large.peakRssMb),
      target: `< ${targets.largeRssMb} MB each`,
      met: goal.rssMet
    })
  }

  if (scaleOut !== undefined) {
    const curve = scaleOut.curve.map((point) => `${point.dispatchers}: ${perSecond(point.notificationsPerSecond)}`).join(', ')
    const flat = scaleOut.flattensAfter === null ? 'still rising' : `flat after ${dispatchersLabel(scaleOut.flattensAfter)}`
    const projected = scaleOut.projection.map((p) => `${p.cores} cores ${perSecond(p.notificationsPerSecond)}`).join(', ')
    rows.push({ goal: '5. scale-out (dispatchers: rate)', measured: `${curve}; ${flat}; projected ${projected} (see the scale-out section)`, target: 'shown' })
  }
  return { rows, judged }
}
