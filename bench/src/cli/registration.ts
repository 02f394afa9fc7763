// `tsx --conditions=beacon-source src/cli/registration.ts [--seconds N] [--connections N] [--pool N] [--breakdown] [--profile]`: one run, printed.
import { parseArgs } from 'node:util'
import { cleanUpRun } from '@beacon/testkit'
import { runRegistration } from '../scenarios/registration.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    pool: { type: 'string', default: '4' },
    breakdown: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false }
  }
})
try {
  console.log(JSON.stringify(await runRegistration({
    seconds: Number(values.seconds),
    connections: Number(values.connections),
    poolSize: Number(values.pool),
    breakdown: values.breakdown,
    profile: values.profile
  }), null, 2))
} finally {
  // The migrated template the run's databases were copied from, and the pipelines' NATS streams.
  await cleanUpRun()
}
