// The full run measures the services as they are deployed (registration excepted): the heap caps and the api's malloc
// thresholds it starts them with must be the ones docker-compose.yml and deploy/kubernetes give.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { parse, parseAllDocuments } from 'yaml'
import { apiEnv, apiNodeArgs, dispatcherNodeArgs } from '../src/service-settings.js'

const root = new URL('../../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')

interface Container { name: string, args?: string[], env?: Array<{ name: string, value?: string }>, resources?: { requests?: { memory?: string }, limits?: { memory?: string } } }

/** The containers of a manifest's Deployments, by name. */
function containers (path: string): Map<string, Container> {
  const found = new Map<string, Container>()
  for (const document of parseAllDocuments(read(path))) {
    const object = document.toJS() as { kind?: string, spec?: { template?: { spec?: { containers?: Container[] } } } } | null
    if (object?.kind !== 'Deployment') continue
    for (const container of object.spec?.template?.spec?.containers ?? []) found.set(container.name, container)
  }
  return found
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as {
  services: Record<string, { command?: string[], environment?: Record<string, string | number> }>
}

t.test('docker-compose.yml starts the api and the dispatcher as the bench does', async (t) => {
  const api = compose.services.api
  const nodeOptions = String(api?.environment?.NODE_OPTIONS ?? '').split(/\s+/)
  for (const arg of apiNodeArgs) t.ok(nodeOptions.includes(arg), `api NODE_OPTIONS has ${arg}`)
  for (const [name, value] of Object.entries(apiEnv)) t.equal(String(api?.environment?.[name]), value, `api ${name}`)
  const command = compose.services.dispatcher?.command ?? []
  for (const arg of dispatcherNodeArgs) t.ok(command.includes(arg), `dispatcher command has ${arg}`)
})

t.test('deploy/kubernetes starts the api and the dispatcher as the bench does', async (t) => {
  const api = containers('deploy/kubernetes/api.yaml').get('api')
  t.ok(api, 'the api manifest has a container')
  for (const arg of apiNodeArgs) t.ok(api?.args?.includes(arg), `api args have ${arg}`)
  const env = new Map((api?.env ?? []).map((variable) => [variable.name, variable.value]))
  for (const [name, value] of Object.entries(apiEnv)) t.equal(env.get(name), value, `api ${name}`)
  const dispatcher = containers('deploy/kubernetes/dispatcher.yaml').get('dispatcher')
  t.ok(dispatcher, 'the dispatcher manifest has a container')
  for (const arg of dispatcherNodeArgs) t.ok(dispatcher?.args?.includes(arg), `dispatcher args have ${arg}`)
})

/** Node started with `args` on its command line, or in NODE_OPTIONS: its heap limit in MB, or why it did not start. */
function heapLimit (args: readonly string[], via: 'argv' | 'NODE_OPTIONS'): { mb: number, failure: string | null } {
  const probe = ['-p', "require('v8').getHeapStatistics().heap_size_limit"]
  const run = via === 'argv'
    ? spawnSync(process.execPath, [...args, ...probe], { encoding: 'utf8' })
    : spawnSync(process.execPath, probe, { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: args.join(' ') } })
  return { mb: Number(run.stdout) / 1024 / 1024, failure: run.status === 0 ? null : `exit ${run.status}: ${run.stderr}` }
}

// A flag this Node does not know stops it at start (exit 9): a deployment would crash-loop. And
// NODE_OPTIONS refuses some flags the command line takes: the api gets its flags that way in
// docker-compose.yml, on its command line in deploy/kubernetes. This is the Node running the
// tests (the project's engines), not the image's pinned node:20 patch release.
t.test("this project's Node starts with the services' flags, and their heap caps hold", async (t) => {
  const uncapped = heapLimit([], 'argv').mb
  for (const [name, args, ways] of [['api', apiNodeArgs, ['argv', 'NODE_OPTIONS']], ['dispatcher', dispatcherNodeArgs, ['argv']]] as const) {
    const capArg = args.find((arg) => arg.startsWith('--max-old-space-size='))
    t.ok(capArg, `${name} has a heap cap`)
    // The limit is the old space's cap plus the young generation's: the same as with the cap alone.
    const capOnly = heapLimit([capArg ?? ''], 'argv').mb
    t.ok(capOnly < uncapped, `${name}: the cap lowers the heap limit (${capOnly} MB against ${uncapped})`)
    for (const via of ways) {
      const limit = heapLimit(args, via)
      t.equal(limit.failure, null, `${name}: node starts with ${args.join(' ')} (${via})`)
      t.equal(limit.mb, capOnly, `${name}: heap limit ${limit.mb} MB with ${args.join(' ')} (${via}), as with ${capArg} alone`)
    }
  }
})

// V8's cap bounds the old generation only: the young generation (up to 48 MB), code, buffers and
// malloc's arenas come on top, and a dispatcher under 192 MB peaked at 200-202 MB RSS in the
// 1,000,000-user campaign. A cap raised without the container's limit would be killed for memory
// under load instead of collecting its garbage: each limit stays at least 96 MiB above its cap.
const mib = (quantity: string | undefined) => {
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity ?? '')
  return match === null ? Number.NaN : Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1)
}

t.test('each Kubernetes container may use at least 96 MiB more than its heap cap', async (t) => {
  for (const [file, name, args] of [['deploy/kubernetes/api.yaml', 'api', apiNodeArgs], ['deploy/kubernetes/dispatcher.yaml', 'dispatcher', dispatcherNodeArgs]] as const) {
    const container = containers(file).get(name)
    const limit = mib(container?.resources?.limits?.memory)
    const cap = Number(args.find((arg) => arg.startsWith('--max-old-space-size='))?.split('=')[1])
    t.ok(limit - cap >= 96, `${name}: memory limit ${container?.resources?.limits?.memory} against a ${cap} MB heap cap`)
  }
})

// A memory request is what the scheduler sets aside for a pod: one below what the service uses
// under load lets a node be filled past its memory. Each request covers the highest peak RSS of
// its service (MiB, as the bench reports it) in the latest full run committed in bench/results.
t.test('each Kubernetes container requests at least the peak RSS of its service in the latest full bench run', async (t) => {
  const latest = readdirSync(new URL('bench/results/', root)).filter((name) => /^run-.*\.json$/.test(name)).sort().at(-1)
  t.ok(latest, 'a full run is committed')
  const peaks: Record<string, number> = {}
  const collect = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'peakRssMb' && typeof inner === 'object' && inner !== null) {
        for (const [process, mb] of Object.entries(inner as Record<string, number>)) {
          const service = process.replace(/\d+$/, '')
          peaks[service] = Math.max(peaks[service] ?? 0, mb)
        }
      } else collect(inner)
    }
  }
  collect(JSON.parse(read(`bench/results/${latest ?? ''}`)))
  for (const [file, name] of [['deploy/kubernetes/api.yaml', 'api'], ['deploy/kubernetes/dispatcher.yaml', 'dispatcher']] as const) {
    const request = containers(file).get(name)?.resources?.requests?.memory
    t.ok(peaks[name] !== undefined && peaks[name] > 0, `${latest}: a peak RSS of the ${name}`)
    t.ok(mib(request) >= (peaks[name] ?? Number.NaN), `${name}: memory request ${request} against a peak RSS of ${peaks[name]} MiB in ${latest}`)
  }
})
