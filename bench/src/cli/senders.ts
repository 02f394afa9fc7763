// `tsx --conditions=beacon-source src/cli/senders.ts [--notifications N]`: the dispatcher's
// senders alone against the provider mocks, printed.
import { parseArgs } from 'node:util'
import { runSenders } from '../scenarios/senders.js'

const { values } = parseArgs({ options: { notifications: { type: 'string', default: '5000' } } })
console.log(JSON.stringify(await runSenders({ notifications: Number(values.notifications) }), null, 2))
