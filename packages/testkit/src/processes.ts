import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, for spawning services from their sources. */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/**
 * A `node --import` preload (SpawnOptions.nodeArgs) that makes a running service fail as a bug
 * would: set BEACON_TEST_FAULT_TRIGGER to a path in its environment, create that file, and it
 * throws an uncaught exception (or, with BEACON_TEST_FAULT=rejection, an unhandled rejection).
 */
export const faultPreloadPath = join(repositoryRoot, 'packages', 'testkit', 'preloads', 'fault-on-trigger.mjs')

/**
 * Whether this code runs from the JavaScript `npm test` transpiles beside the sources
 * (scripts/transpile.mjs: `src` -> `.js-src`) rather than through tsx: the services the tests
 * start then run the same way, with plain node.
 */
export const runsTranspiled = import.meta.url.includes('/.js-src/')

/**
 * The node arguments that run a TypeScript entry point (a path ending `src/….ts`) the way these
 * tests run: its transpiled JavaScript, or the source through tsx.
 */
export function entryArgs (entry: string): string[] {
  if (!runsTranspiled) return ['--import=tsx', '--conditions=beacon-source', entry]
  // The last `src` folder of the path is the package's (the checkout's path may hold one too).
  const parts = entry.split('/')
  parts[parts.lastIndexOf('src')] = '.js-src'
  return ['--conditions=beacon-js', parts.join('/').replace(/\.ts$/, '.js')]
}

export interface ServiceProcess {
  child: ChildProcess
  /** Everything it printed, stdout and stderr, for assertions and failure reports. */
  output (): string
  /** Resolves with the exit code (or signal name) once it has exited. */
  exited: Promise<number | string>
  /** Sends a signal and waits for the exit. */
  stop (signal?: NodeJS.Signals): Promise<number | string>
  waitForOutput (pattern: RegExp, timeoutMs?: number): Promise<void>
}

export interface SpawnOptions {
  /**
   * Run the compiled JavaScript (`src/x.ts` -> `dist/x.js`, after `npm run build`) with plain node,
   * exactly as production does, instead of the sources through tsx (whose loader thread and
   * transpiling add memory and start-up time): benchmarks measure this.
   */
  fromBuild?: boolean
  /** Extra node options, e.g. `--cpu-prof` (which NODE_OPTIONS does not accept). */
  nodeArgs?: string[]
}

/**
 * Runs a service's TypeScript entry point (e.g. `services/dispatcher/src/server.ts`) as a child
 * process with the given environment on top of this one, as it runs in production but from sources
 * (see entryArgs), or from its build (see SpawnOptions).
 */
export function spawnService (entry: string, env: Record<string, string>, options: SpawnOptions = {}): ServiceProcess {
  const args = [...options.nodeArgs ?? [], ...options.fromBuild === true
    ? [join(repositoryRoot, entry.replace(/\/src\/(.+)\.ts$/, '/dist/$1.js'))]
    : entryArgs(join(repositoryRoot, entry))]
  const child = spawn(process.execPath, args, {
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const listeners = new Set<() => void>()
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    if (output.length > 2_000_000) output = output.slice(-1_000_000)
    for (const listener of listeners) listener()
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')))
  return {
    child,
    output: () => output,
    exited,
    async stop (signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
    waitForOutput (pattern, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return
          cleanup()
          resolve()
        }
        const timer = setTimeout(() => { cleanup(); reject(new Error(`${entry} did not print ${String(pattern)} within ${timeoutMs} ms; output:\n${output.slice(-4000)}`)) }, timeoutMs)
        const early = () => { cleanup(); reject(new Error(`${entry} exited before printing ${String(pattern)}; output:\n${output.slice(-4000)}`)) }
        const cleanup = () => { clearTimeout(timer); listeners.delete(check); child.off('exit', early) }
        listeners.add(check)
        child.once('exit', early)
        check()
      })
    }
  }
}
