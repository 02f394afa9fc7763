// Issue 16's goals as rows of the run's table: each ratio computed from figures of this one run.
import { isBeaconProcess, judgeCampaign, judgeLarge, judgeSenders, judgeSingle, microsecondsPer, targets } from './goals.js'
import type { GoalRow } from './report.js'
import { campaignMeasured, count, dispatchersLabel, fixed, microseconds, perSecond, providerMeasured, rss, split, type RunResults } from './results.js'

export function goalRows ({ peer, senders, campaigns, single, large, scaleOut }: RunResults): { rows: GoalRow[], judged: Record<string, unknown> } {
  const rows: GoalRow[] = []
  const judged: Record<string, unknown> = {}
  const peerFigures = peer === undefined ? undefined : providerMeasured(peer)

  for (const campaign of campaigns) {
    if (peerFigures === undefined) break
    const label = dispatchersLabel(campaign.dispatchers)
    const goal = judgeCampaign(campaignMeasured(campaign), peerFigures)
    judged[`campaign, ${label}`] = goal
    const own = Object.fromEntries(Object.entries(campaign.cpuSeconds).filter(([name]) => isBeaconProcess(name))
      .map(([name]) => [name, microsecondsPer(campaign.cpuSeconds, campaign.users, (other) => other === name)]))
    rows.push({
      goal: `1. campaign, ${label}: Beacon's CPU per notification ÷ the peer's`,
      measured: `${fixed(goal.cpuOverPeer)} (Beacon ${microseconds(goal.ownMicroseconds)}: ${split(own)}; peer ${microseconds(goal.peerMicroseconds)})`,
      target: `≤ ${targets.campaignCpuOverPeer}`,
      met: goal.cpuMet
    }, {
      goal: `1. campaign, ${label}: throughput ÷ the peer's`,
      measured: `${fixed(goal.rateOverPeer)} (${perSecond(campaign.notificationsPerSecond)} ÷ ${perSecond(peerFigures.perSecond)})`,
      target: `≥ ${targets.campaignRateOverPeer}`,
      met: goal.rateMet
    })
  }

  if (senders !== undefined && peerFigures !== undefined) {
    const goal = judgeSenders(providerMeasured(senders), peerFigures)
    judged.senders = goal
    rows.push({
      goal: "2. the dispatcher's senders alone ÷ the peer",
      measured: `${fixed(goal.rateOverPeer)} (${perSecond(senders.notificationsPerSecond)} ÷ ${perSecond(peerFigures.perSecond)}); CPU per notification: senders ${microseconds(goal.sendersMicroseconds)}, peer ${microseconds(goal.peerMicroseconds)}`,
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
      measured: `${single.deliveryLatencyMs?.p99 ?? '–'} ms (p50 ${single.deliveryLatencyMs?.p50 ?? '–'} ms; round trip p99 ${single.roundTripMs?.p99 ?? '–'} ms)`,
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
