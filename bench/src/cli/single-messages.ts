// `tsx --conditions=beacon-source src/cli/single-messages.ts [--rate N] [--seconds N] [--warmup-seconds N] [--users N] [--history N] [--profile] [--from-build] [--service-settings] [--dispatcher-node-arg ARG]… [--api-node-arg ARG]… [--dispatcher-env NAME=VALUE]… [--api-env NAME=VALUE]…`: one run, printed.
import { parseArgs } from 'node:util'
import { cleanUpRun } from '@beacon/testkit'
import { runSingleMessages } from '../scenarios/single-messages.js'
import { apiEnv as fullRunApiEnv, apiNodeArgs, dispatcherNodeArgs } from '../service-settings.js'
import { envFromPairs } from './env-pairs.js'

const { values } = parseArgs({ options: { rate: { type: 'string', default: '500' }, seconds: { type: 'string', default: '10' }, 'warmup-seconds': { type: 'string' }, users: { type: 'string' }, history: { type: 'string' }, profile: { type: 'boolean', default: false }, 'from-build': { type: 'boolean', default: false }, 'service-settings': { type: 'boolean', default: false }, 'dispatcher-env': { type: 'string', multiple: true, default: [] }, 'api-env': { type: 'string', multiple: true, default: [] }, 'dispatcher-node-arg': { type: 'string', multiple: true, default: [] }, 'api-node-arg': { type: 'string', multiple: true, default: [] } } })
const dispatcherEnv = envFromPairs(values['dispatcher-env'])
// --service-settings: the heap caps and malloc thresholds `npm run bench` starts the services with.
const settings = values['service-settings']
const apiEnv = { ...(settings ? fullRunApiEnv : {}), ...envFromPairs(values['api-env']) }
try {
  console.log(JSON.stringify(await runSingleMessages({
    ratePerSecond: Number(values.rate),
    seconds: Number(values.seconds),
    ...(values['warmup-seconds'] === undefined ? {} : { warmupSeconds: Number(values['warmup-seconds']) }),
    profile: values.profile,
    fromBuild: values['from-build'],
    // --service-settings' node options first: one given here comes after it, and wins.
    apiNodeArgs: [...(settings ? apiNodeArgs : []), ...values['api-node-arg']],
    dispatcherNodeArgs: [...(settings ? dispatcherNodeArgs : []), ...values['dispatcher-node-arg']],
    dispatcherEnv,
    apiEnv,
    ...(values.history === undefined ? {} : { history: Number(values.history) }),
    ...(values.users === undefined ? {} : { users: Number(values.users) })
  }), null, 2))
} finally {
  // The migrated template the run's databases were copied from, and the pipelines' NATS streams.
  await cleanUpRun()
}
