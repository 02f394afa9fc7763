// `tsx --conditions=beacon-source src/cli/peer.ts [--notifications N] [--batches-in-flight N]`:
// Parse Server's push adapter against the provider mocks, printed.
import { parseArgs } from 'node:util'
import { runPeer } from '../scenarios/peer.js'

const { values } = parseArgs({ options: { notifications: { type: 'string', default: '5000' }, 'batches-in-flight': { type: 'string' } } })
const inFlight = values['batches-in-flight']
console.log(JSON.stringify(await runPeer({ notifications: Number(values.notifications), ...(inFlight === undefined ? {} : { batchesInFlight: Number(inFlight) }) }), null, 2))
