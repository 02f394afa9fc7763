// `tsx src/cli/loopback-hop.ts [--writes N]`: what a hop between two processes costs here, printed.
import { parseArgs } from 'node:util'
import { runLoopbackHop } from '../scenarios/loopback-hop.js'

const { values } = parseArgs({ options: { writes: { type: 'string', default: '5000' } } })
console.log(JSON.stringify(await runLoopbackHop({ writes: Number(values.writes) }), null, 2))
