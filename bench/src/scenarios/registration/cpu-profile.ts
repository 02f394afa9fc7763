import { readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface ProfileNode { id: number, callFrame: { functionName: string, url: string, lineNumber: number }, children?: number[] }
interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[] }

export interface ProfileSummary {
  file: string
  sampledMs: number
  /** The functions that used the most CPU themselves (not counting what they called). */
  topFunctions: Array<{ fn: string, selfMs: number, percent: number, via?: string }>
  /** The same self time added up per package (or `node:` internals, `(garbage collector)`, …). */
  byPackage: Array<{ where: string, selfMs: number, percent: number }>
}

// `file:///…/node_modules/.pnpm/@prisma+client-runtime-utils@7/node_modules/@prisma/x/…` -> `@prisma/x`.
function packageOf (url: string): string {
  if (url === '') return '(native / V8)'
  if (url.startsWith('node:')) return 'node: internals'
  const modules = url.lastIndexOf('/node_modules/')
  if (modules === -1) return url.includes('/work/') || url.startsWith('file://') ? `repo: ${url.replace(/^.*?\/(services|packages|bench)\//, '$1/').replace(/\/[^/]*$/, '')}` : url
  const rest = url.slice(modules + '/node_modules/'.length).split('/')
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
}

const short = (url: string) => url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(services|packages|bench)\//, '$1/')

/** Self time per function and per package from a V8 .cpuprofile (as written by --cpu-prof). */
export async function summariseProfile (file: string, top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfByNode = new Map<number, number>()
  profile.samples.forEach((id, index) => selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)))
  const parents = new Map<number, ProfileNode>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node)
  const frame = (node: ProfileNode | undefined) => node === undefined ? '(root)' : `${node.callFrame.functionName || '(anonymous)'} ${short(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`
  const byFunction = new Map<string, number>()
  // Native functions (writev, …) say nothing by their name: the first caller outside Node's own
  // code does (the library that wrote to the socket).
  const callerOf = (id: number) => {
    let node = parents.get(id)
    while (node !== undefined && (node.callFrame.url === '' || node.callFrame.url.startsWith('node:')) && parents.has(node.id)) node = parents.get(node.id)
    return frame(node)
  }
  const callers = new Map<string, Map<string, number>>()
  const byPackage = new Map<string, number>()
  let total = 0
  for (const [id, micros] of selfByNode) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame
    // The idle loop is time not spent working, and writing the profile out is not the service's
    // work either; leave both out of the shares.
    if (functionName === '(idle)' || (url === '' && callerOf(id).includes('cpu-profiler.mjs'))) continue
    total += micros
    const name = `${functionName || '(anonymous)'} ${url === '' ? '' : `${short(url)}:${lineNumber + 1}`}`.trim()
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros)
    if (url === '') {
      const via = callers.get(name) ?? new Map<string, number>()
      const caller = callerOf(id)
      via.set(caller, (via.get(caller) ?? 0) + micros)
      callers.set(name, via)
    }
    const where = functionName === '(garbage collector)' || functionName === '(program)' ? functionName : packageOf(url)
    byPackage.set(where, (byPackage.get(where) ?? 0) + micros)
  }
  const rank = (map: Map<string, number>, count: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count)
    .map(([key, micros]) => ({ key, selfMs: Math.round(micros / 1000), percent: Math.round((micros * 1000) / total) / 10 }))
  return {
    file,
    sampledMs: Math.round(total / 1000),
    topFunctions: rank(byFunction, top).map(({ key, ...rest }) => {
      const via = callers.get(key)
      return via === undefined ? { fn: key, ...rest } : { fn: key, ...rest, via: rank(via, 1)[0]!.key }
    }),
    byPackage: rank(byPackage, top).map(({ key, ...rest }) => ({ where: key, ...rest }))
  }
}

/** Every .cpuprofile in a folder (one per process that wrote one), summarised. */
export async function summariseProfiles (folder: string, top?: number): Promise<ProfileSummary[]> {
  const files = (await readdir(folder)).filter((name) => name.endsWith('.cpuprofile')).sort()
  return Promise.all(files.map((name) => summariseProfile(join(folder, name), top)))
}

/** What starts the profile (cpu-profiler.mjs): a signal the services do not stop on. */
export const PROFILE_START_SIGNAL = 'SIGWINCH'

/**
 * The environment that makes a spawned service profile itself from its first SIGWINCH on and
 * write the profile into `folder` at a clean exit (see cpu-profiler.mjs).
 */
export function profilerEnv (folder: string): Record<string, string> {
  const preload = join(dirname(fileURLToPath(import.meta.url)), 'cpu-profiler.mjs')
  return { NODE_OPTIONS: `--import=${preload}`, BEACON_CPU_PROFILE_DIR: folder }
}
