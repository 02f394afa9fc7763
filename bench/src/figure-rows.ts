// Every scenario's own figures as rows of the run's table (issue 16's goals have their own table: goal-rows.ts).
import type { Row } from './report.js'
import { count, dispatchersLabel, fixed, perSecond, rss, split, steal, type RunResults } from './results.js'

export function figureRows ({ ceiling, peer, senders, campaigns, large, single, registration, signed, rounds }: RunResults): Row[] {
  const rows: Row[] = []
  // Goals 1 and 2 take every round (the goals table); this table shows the last.
  const shown = rounds !== undefined && rounds.length > 1 ? `, round ${rounds.length} of ${rounds.length}` : ''
  if (ceiling !== undefined) rows.push({ scenario: '1. ceiling (raw HTTP/2 to the APNs mock)', figure: `${perSecond(ceiling.notificationsPerSecond)} (${count(ceiling.notifications)}); CPU per notification: ${split(ceiling.cpuMicrosecondsPerNotification)} µs${steal(ceiling.hostStealPercent)}` })
  if (peer !== undefined) rows.push({ scenario: `2. peer (@parse/push-adapter, half APNs / half FCM${shown})`, figure: `${perSecond(peer.notificationsPerSecond)} (${count(peer.notifications)}); CPU per notification: ${split(peer.cpuMicrosecondsPerNotification)} µs${steal(peer.hostStealPercent)}` })
  if (senders !== undefined) rows.push({ scenario: `2b. the dispatcher's senders alone (no queue, no database${shown})`, figure: `${perSecond(senders.notificationsPerSecond)} (${count(senders.notifications)}); CPU per notification: ${split(senders.cpuMicrosecondsPerNotification)} µs${steal(senders.hostStealPercent)}` })
  for (const run of campaigns) {
    const over = (other: { notificationsPerSecond: number } | undefined, name: string) => other === undefined ? [] : [`÷ ${name} ${fixed(run.notificationsPerSecond / other.notificationsPerSecond)}`]
    const ratios = [...over(ceiling, 'ceiling'), ...over(peer, 'peer'), ...over(senders, 'senders alone')]
    rows.push({
      scenario: `3. campaign end to end, ${dispatchersLabel(run.dispatchers)}${shown}`,
      figure: `${perSecond(run.notificationsPerSecond)} (${count(run.users)} users, ${run.seconds} s)${ratios.length > 0 ? `; ${ratios.join(', ')}` : ''}; CPU per notification: ${split(run.cpuMicrosecondsPerNotification)} µs; peak RSS ${rss(run.peakRssMb)}${steal(run.hostStealPercent)}`
    })
  }
  if (large !== undefined) {
    rows.push({
      scenario: `4. large campaign, ${dispatchersLabel(large.dispatchers)}`,
      figure: `${count(large.users)} users in ${large.seconds} s (${perSecond(large.notificationsPerSecond)}), every device once; CPU per notification: ${split(large.cpuMicrosecondsPerNotification)} µs; peak RSS ${rss(large.peakRssMb)}${steal(large.hostStealPercent)}`
    })
  }
  if (single !== undefined) {
    rows.push({
      scenario: `5. single messages (SYNCHRONOUS, ${single.ratePerSecond} requests/s offered, ${count(single.earlierMessages)} earlier messages stored)`,
      figure: `${perSecond(single.achievedPerSecond)} achieved; API call → provider p50 ${single.deliveryLatencyMs?.p50} ms, p99 ${single.deliveryLatencyMs?.p99} ms; round trip p99 ${single.roundTripMs?.p99} ms; errors ${JSON.stringify(single.errors)}; CPU per message: ${split(single.cpuMicrosecondsPerRequest)} µs${steal(single.hostStealPercent)}`
    })
  }
  if (registration !== undefined) {
    rows.push({
      scenario: '6. registration (POST /push/device/create, autocannon)',
      figure: `ours ${perSecond(registration.ours?.requestsPerSecond ?? 0)} p99 ${registration.ours?.latencyMs.p99} ms; plain pg ${perSecond(registration.plainPg?.requestsPerSecond ?? 0)} p99 ${registration.plainPg?.latencyMs.p99} ms; ratio ${fixed(registration.ratio)}${steal(registration.ours?.hostStealPercent)}${registration.plainPg?.hostStealPercent === undefined ? '' : ` (plain pg's ${registration.plainPg.hostStealPercent}%)`}`,
      target: `≥ ${registration.target} × plain pg`,
      met: registration.meetsTarget
    })
  }
  if (signed !== undefined) {
    for (const [name, part] of [['GET /api/1.0/debug/echo', signed.echo], ['POST /api/1.0/push/<user>@<carrier>', signed.push]] as const) {
      rows.push({
        scenario: `7. signed requests (${name}, MAAIISDK10, ${signed.inFlight} in flight)`,
        figure: `${perSecond(part.requestsPerSecond)} (${count(signed.requests)}); errors ${JSON.stringify(part.errors)}; CPU per request: ${split(part.cpuMicrosecondsPerRequest)} µs${steal(part.hostStealPercent)}`
      })
    }
  }
  return rows
}
