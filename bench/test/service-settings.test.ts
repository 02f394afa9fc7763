// The full run measures the services as they are deployed (registration excepted): the heap caps and the api's malloc
// thresholds it starts them with must be the ones docker-compose.yml and deploy/kubernetes give.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { parse, parseAllDocuments } from 'yaml'
import { apiEnv, apiNodeArgs, dispatcherNodeArgs } from '../src/service-settings.js'

const root = new URL('../../', import.meta.url)
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8')

interface Container { name: string, args?: string[], env?: Array<{ name: string, value?: string }> }

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

// A flag this Node does not know stops it at start (exit 9): a deployment would crash-loop.
t.test("this project's Node starts with the services' flags, and their heap caps hold", async (t) => {
  for (const [name, args] of [['api', apiNodeArgs], ['dispatcher', dispatcherNodeArgs]] as const) {
    const run = spawnSync(process.execPath, [...args, '-p', "require('v8').getHeapStatistics().heap_size_limit"], { encoding: 'utf8' })
    t.equal(run.status, 0, `${name}: node starts with ${args.join(' ')}${run.stderr === '' ? '' : `: ${run.stderr}`}`)
    const cap = Number(/^--max-old-space-size=(\d+)$/.exec(args.find((arg) => arg.startsWith('--max-old-space-size=')) ?? '')?.[1])
    t.ok(cap > 0, `${name} has a heap cap`)
    // The limit is the old space's cap plus the young generation's (48 MB by default).
    const limitMb = Number(run.stdout) / 1024 / 1024
    t.ok(limitMb >= cap && limitMb <= cap + 64, `${name}: heap limit ${limitMb} MB for --max-old-space-size=${cap}`)
  }
})
