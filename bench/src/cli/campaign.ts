// `tsx --conditions=beacon-source src/cli/campaign.ts [--users N] [--dispatchers N] [--warmup-users N (default: warm-up.ts)] [--provider-delay-ms N] [--dispatcher-env NAME=VALUE]… [--api-env NAME=VALUE]…`:
// one campaign run, printed.
import { parseArgs } from 'node:util'
import { cleanUpRun } from '@beacon/testkit'
import { runCampaign } from '../scenarios/campaign.js'
import { envFromPairs } from './env-pairs.js'

const { values } = parseArgs({ options: { users: { type: 'string', default: '10000' }, dispatchers: { type: 'string', default: '1' }, 'from-build': { type: 'boolean', default: false }, 'profile-dir': { type: 'string' }, 'warmup-users': { type: 'string' }, 'provider-delay-ms': { type: 'string', default: '0' }, 'dispatcher-node-arg': { type: 'string', multiple: true, default: [] }, 'api-node-arg': { type: 'string', multiple: true, default: [] }, 'dispatcher-env': { type: 'string', multiple: true, default: [] }, 'api-env': { type: 'string', multiple: true, default: [] } } })
const dispatcherEnv = envFromPairs(values['dispatcher-env'])
const apiEnv = envFromPairs(values['api-env'])
try {
  console.log(JSON.stringify(await runCampaign({ users: Number(values.users), dispatchers: Number(values.dispatchers), dispatcherEnv, apiEnv, fromBuild: values['from-build'], dispatcherNodeArgs: values['dispatcher-node-arg'], providerAnswerDelayMs: Number(values['provider-delay-ms']), apiNodeArgs: values['api-node-arg'], ...(values['profile-dir'] === undefined ? {} : { profileDir: values['profile-dir'] }), ...(values['warmup-users'] === undefined ? {} : { warmupUsers: Number(values['warmup-users']) }) }), null, 2))
} finally {
  // The migrated template the run's database was copied from, and the pipeline's NATS streams.
  await cleanUpRun()
}
