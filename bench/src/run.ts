// `npm run bench [-- --quick] [-- --only ceiling,peer,senders,campaign,large,single,registration]`:
// the benchmark suite of the issue, everything on this machine. Scenarios 1–3 (ceiling, peer,
// the dispatcher's senders alone, campaign) run one after the other in this one process tree, so
// their ratios hold on a noisy machine. Results: bench/results/run-<date>.json and .md, and latest.md.
import { spawnSync } from 'node:child_process'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cleanUpRun, repositoryRoot } from '@beacon/testkit'
import { markdown, writeRun, type Row } from './report.js'
import { runCampaign } from './scenarios/campaign.js'
import { runCeiling } from './scenarios/ceiling.js'
import { runPeer } from './scenarios/peer.js'
import { runSenders } from './scenarios/senders.js'
import { runRegistration } from './scenarios/registration.js'
import { runSingleMessages } from './scenarios/single-messages.js'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } })
const quick = values.quick
const only = new Set((values.only ?? 'ceiling,peer,senders,campaign,large,single,registration').split(','))
const size = quick
  ? { notifications: 5000, large: 20_000, singleSeconds: 5, registrationSeconds: 5 }
  : { notifications: 100_000, large: 1_000_000, singleSeconds: 10, registrationSeconds: 20 }
// Heap caps as docker-compose runs the services (see the comments there).
const apiNodeArgs = ['--max-old-space-size=160']
const dispatcherNodeArgs = ['--max-old-space-size=96']

// The services run from their build, as in production (tsx adds a loader thread and transpiling).
console.log('# building the services')
const build = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'pnpm.mjs'), '--filter', '@beacon/api...', '--filter', '@beacon/dispatcher...', 'build'], { stdio: 'inherit' })
if (build.status !== 0) throw new Error('the build failed')

const date = new Date().toISOString()
const results: Record<string, any> = {}
const rows: Row[] = []
const step = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
  if (!only.has(name.split(':')[0]!)) return undefined
  console.log(`# ${name}`)
  const result = await run()
  results[name] = result
  console.log(JSON.stringify(result))
  return result
}
const rss = (peaks: Record<string, number>) => Object.entries(peaks).map(([name, mb]) => `${name} ${mb} MB`).join(', ')
const perSecond = (n: number) => `${n.toLocaleString('en-US')}/s`

const ceiling = await step('ceiling', () => runCeiling({ notifications: size.notifications }))
const peer = await step('peer', () => runPeer({ notifications: size.notifications }))
const senders = await step('senders', () => runSenders({ notifications: size.notifications }))
const campaign1 = await step('campaign:1', () => runCampaign({ users: size.notifications, dispatchers: 1, fromBuild: true, apiNodeArgs, dispatcherNodeArgs }))
const campaign2 = await step('campaign:2', () => runCampaign({ users: size.notifications, dispatchers: 2, fromBuild: true, apiNodeArgs, dispatcherNodeArgs }))
if (ceiling !== undefined) rows.push({ scenario: '1. ceiling (raw HTTP/2 to the APNs mock)', figure: `${perSecond(ceiling.notificationsPerSecond)} (${ceiling.notifications.toLocaleString('en-US')})` })
if (peer !== undefined) rows.push({ scenario: '2. peer (@parse/push-adapter, half APNs / half FCM)', figure: `${perSecond(peer.notificationsPerSecond)} (${peer.notifications.toLocaleString('en-US')})` })
if (senders !== undefined) {
  const vsPeer = peer === undefined ? '' : `; ÷ peer ${(senders.notificationsPerSecond / peer.notificationsPerSecond).toFixed(2)}`
  const cpu = senders.cpuMicrosecondsPerNotification
  rows.push({ scenario: "2b. the dispatcher's senders alone (no queue, no database)", figure: `${perSecond(senders.notificationsPerSecond)} (${senders.notifications.toLocaleString('en-US')})${vsPeer}; CPU per notification: senders ${cpu.senders} µs, mocks ${cpu['bench (provider mocks)']} µs` })
}
for (const [label, run] of [['1 dispatcher', campaign1], ['2 dispatchers', campaign2]] as const) {
  if (run === undefined) continue
  const vsCeiling = ceiling === undefined ? undefined : run.notificationsPerSecond / ceiling.notificationsPerSecond
  const vsPeer = peer === undefined ? undefined : run.notificationsPerSecond / peer.notificationsPerSecond
  const vsSenders = senders === undefined ? undefined : run.notificationsPerSecond / senders.notificationsPerSecond
  results[`ratios:${label}`] = { campaignOverCeiling: vsCeiling, campaignOverPeer: vsPeer, campaignOverSendersAlone: vsSenders }
  rows.push({
    scenario: `3. campaign end to end, ${label}`,
    figure: `${perSecond(run.notificationsPerSecond)} (${run.users.toLocaleString('en-US')} users, ${run.seconds} s); ÷ ceiling ${vsCeiling?.toFixed(2) ?? '–'}, ÷ peer ${vsPeer?.toFixed(2) ?? '–'}, ÷ senders alone ${vsSenders?.toFixed(2) ?? '–'}; peak RSS ${rss(run.peakRssMb)}`,
    target: '≥ 0.6 × ceiling, > peer',
    ...(vsCeiling === undefined || vsPeer === undefined ? {} : { met: vsCeiling >= 0.6 && vsPeer > 1 })
  })
}

const large = await step('large', () => runCampaign({ users: size.large, dispatchers: 2, fromBuild: true, apiNodeArgs, dispatcherNodeArgs }))
if (large !== undefined) {
  const peak = Math.max(...Object.values(large.peakRssMb))
  rows.push({
    scenario: '4. large campaign, 2 dispatchers',
    figure: `${large.users.toLocaleString('en-US')} users in ${large.seconds} s (${perSecond(large.notificationsPerSecond)}), every device once; peak RSS ${rss(large.peakRssMb)}`,
    target: 'each process < 256 MB, flat',
    met: peak < 256
  })
}

const single = await step('single', () => runSingleMessages({ ratePerSecond: 500, seconds: size.singleSeconds, fromBuild: true, apiNodeArgs, dispatcherNodeArgs }))
if (single !== undefined) {
  rows.push({
    scenario: '5. single messages (SYNCHRONOUS, 500 requests/s offered)',
    figure: `${perSecond(single.achievedPerSecond)} achieved; API call → provider p50 ${single.deliveryLatencyMs?.p50} ms, p99 ${single.deliveryLatencyMs?.p99} ms; round trip p99 ${single.roundTripMs?.p99} ms; errors ${JSON.stringify(single.errors)}`,
    target: 'p99 < 50 ms at 500/s',
    met: (single.deliveryLatencyMs?.p99 ?? Infinity) < 50 && single.achievedPerSecond >= 490 && single.deliveredOnceEach && Object.keys(single.errors).length === 0
  })
}

const registration = await step('registration', () => runRegistration({ seconds: size.registrationSeconds, connections: 50 }))
if (registration !== undefined) {
  rows.push({
    scenario: '6. registration (POST /push/device/create, autocannon)',
    figure: `ours ${perSecond(registration.ours?.requestsPerSecond ?? 0)} p99 ${registration.ours?.latencyMs.p99} ms; plain pg ${perSecond(registration.plainPg?.requestsPerSecond ?? 0)} p99 ${registration.plainPg?.latencyMs.p99} ms; ratio ${registration.ratio.toFixed(2)}`,
    target: '≥ 0.7 × plain pg',
    met: registration.meetsTarget
  })
}

// The template database the scenarios cloned theirs from, and the pipelines' NATS streams.
await cleanUpRun()

const mode = quick ? '--quick sizes' : 'full sizes'
const md = markdown(date, cpus().length, mode, rows)
console.log(md)
console.log(`results: ${await writeRun(date, { date, cores: cpus().length, mode, results }, md)}.{json,md}`)
