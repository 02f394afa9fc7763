// `npm run bench [-- --quick] [-- --rounds N] [-- --only ceiling,peer,senders,campaign,scaleout,large,single,registration,signed]`:
// the benchmark suite, everything on this machine, in this one process tree. The peer, the
// senders alone and the campaigns run in turn, --rounds times (3; 1 with --quick or without the
// peer), so that each round's ratios for issue 16's goals (goals.ts) compare scenarios run close
// together on a machine whose speed drifts, and the goals are judged on the medians. Results:
// bench/results/run-<date>.json and .md, and latest.md.
import { spawnSync } from 'node:child_process'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { cleanUpRun, repositoryRoot } from '@beacon/testkit'
import { figureRows } from './figure-rows.js'
import { goalRows } from './goal-rows.js'
import { markdown, writeRun } from './report.js'
import type { Round, RunResults } from './results.js'
import { scaleOutSection } from './scale-out-table.js'
import { sourceLabel, sourceVersion } from './source-version.js'
import { stealReadings, stealSummary } from './host-steal.js'
import { runCampaign } from './scenarios/campaign.js'
import { runCeiling } from './scenarios/ceiling.js'
import { runPeer } from './scenarios/peer.js'
import { runSenders } from './scenarios/senders.js'
import { runRegistration } from './scenarios/registration.js'
import { runScaleOut } from './scenarios/scale-out.js'
import { runSignedRequests } from './scenarios/signed-requests.js'
import { runSingleMessages } from './scenarios/single-messages.js'
import { apiEnv, apiNodeArgs, dispatcherNodeArgs } from './service-settings.js'

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, rounds: { type: 'string' } } })
const quick = values.quick
const only = new Set((values.only ?? 'ceiling,peer,senders,campaign,scaleout,large,single,registration,signed').split(','))
// Without the peer no goal compares rounds: one is enough.
const roundCount = Number(values.rounds ?? (quick || !only.has('peer') ? 1 : 3))
if (!Number.isInteger(roundCount) || roundCount < 1) throw new Error(`--rounds must be a whole number of at least 1, not ${values.rounds}`)
const size = quick
  ? { notifications: 5000, large: 20_000, singleSeconds: 5, registrationSeconds: 5, signedRequests: 2000 }
  : { notifications: 100_000, large: 1_000_000, singleSeconds: 10, registrationSeconds: 20, signedRequests: 10_000 }

// The services run from their build, as in production (tsx adds a loader thread and transpiling).
console.log('# building the services')
const build = spawnSync(process.execPath, [join(repositoryRoot, 'scripts', 'pnpm.mjs'), '--filter', '@beacon/api...', '--filter', '@beacon/dispatcher...', 'build'], { stdio: 'inherit' })
if (build.status !== 0) throw new Error('the build failed')

const date = new Date().toISOString()
const source = sourceVersion(repositoryRoot)
const results: Record<string, any> = {}
const step = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
  // "campaign:2", "peer (round 2)": the scenario's name is what --only lists.
  if (!only.has(name.split(/[: ]/)[0]!)) return undefined
  console.log(`# ${name}`)
  const result = await run()
  results[name] = result
  console.log(JSON.stringify(result))
  return result
}
const campaign = (users: number, dispatchers: number) => runCampaign({ users, dispatchers, fromBuild: true, apiNodeArgs, apiEnv, dispatcherNodeArgs })

const run: RunResults = { campaigns: [], rounds: [] }
try {
  run.ceiling = await step('ceiling', () => runCeiling({ notifications: size.notifications }))
  for (let index = 1; index <= roundCount; index++) {
    const of = index === 1 ? '' : ` (round ${index})`
    const round: Round = { campaigns: [] }
    round.peer = await step(`peer${of}`, () => runPeer({ notifications: size.notifications }))
    round.senders = await step(`senders${of}`, () => runSenders({ notifications: size.notifications }))
    for (const dispatchers of [1, 2]) {
      const result = await step(`campaign:${dispatchers}${of}`, () => campaign(size.notifications, dispatchers))
      if (result !== undefined) round.campaigns.push(result)
    }
    run.rounds!.push(round)
  }
  // The scenario table and the scale-out show the last round: the scale-out's own runs (4
  // dispatchers) come right after it, on the machine as it is then.
  Object.assign(run, run.rounds!.at(-1))
  // The curve reuses the campaign scenario's runs of this run (same size) and adds the rest.
  run.scaleOut = await step('scaleout', () => runScaleOut({ users: size.notifications, fromBuild: true, apiNodeArgs, apiEnv, dispatcherNodeArgs, measured: run.campaigns }))
  run.large = await step('large', () => campaign(size.large, 2))
  run.single = await step('single', () => runSingleMessages({ ratePerSecond: 500, seconds: size.singleSeconds, fromBuild: true, apiNodeArgs, apiEnv, dispatcherNodeArgs }))
  run.registration = await step('registration', () => runRegistration({ seconds: size.registrationSeconds, connections: 50 }))
  run.signed = await step('signed', () => runSignedRequests({ requests: size.signedRequests, fromBuild: true, apiNodeArgs, apiEnv }))
} finally {
  // The template database the scenarios cloned theirs from, and the pipelines' NATS streams,
  // also when a scenario failed.
  await cleanUpRun()
}

const cores = cpus().length
const goals = goalRows(run)
results.goals = goals.judged
const mode = `${quick ? '--quick sizes' : 'full sizes'}, ${sourceLabel(source)}`
const steal = stealSummary(stealReadings(results))
const md = markdown(date, cores, mode, { preamble: steal === undefined ? [] : [steal], goals: goals.rows, figures: figureRows(run), sections: run.scaleOut === undefined ? [] : [scaleOutSection(run.scaleOut, cores)] })
console.log(md)
console.log(`results: ${await writeRun(date, { date, cores, mode, source, results }, md)}.{json,md}`)
