// `tsx --conditions=beacon-source src/cli/ceiling.ts [--notifications N] [--sessions N --streams N]`:
// the machine's ceiling (one process, HTTP/2 straight to the APNs mock), printed.
import { parseArgs } from 'node:util'
import { runCeiling } from '../scenarios/ceiling.js'

const { values } = parseArgs({ options: { notifications: { type: 'string', default: '5000' }, sessions: { type: 'string' }, streams: { type: 'string' } } })
console.log(JSON.stringify(await runCeiling({
  notifications: Number(values.notifications),
  ...(values.sessions === undefined ? {} : { sessions: Number(values.sessions) }),
  ...(values.streams === undefined ? {} : { streamsPerSession: Number(values.streams) })
}), null, 2))
