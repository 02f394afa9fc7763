// The build stage's production install, taken from the Dockerfile and run as `docker build` runs a
// RUN (`sh -c` in the working folder), so that this test follows the file: the folder the runtime
// stage copies (`COPY --from=build /runtime/ ./`) is moved to a temporary one, and `pnpm` is the
// one of .beacon/tools, checked to be the version the Dockerfile installs.
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { flagOf, instructionsOf, stages } from '../dockerfile-stages.js'
import { repositoryRoot } from '../repository.js'

const runtime = stages.at(-1)!
const copy = instructionsOf(runtime, 'COPY').find((instruction) => flagOf(instruction, 'from') !== undefined)
const buildStage = stages.find((stage) => copy !== undefined && stage.name === flagOf(copy, 'from'))

/** The folder the runtime stage copies from the build stage (`/runtime`). */
export const copiedFolder = copy?.getArguments()[0]?.getValue().replace(/\/$/, '') ?? ''

/** The build stage's RUN that installs dependencies and fills copiedFolder: the production install. */
export const installCommand = (buildStage === undefined ? [] : instructionsOf(buildStage, 'RUN'))
  .map((run) => run.getArgumentsContent() ?? '')
  .find((command) => /\bpnpm install\b/.test(command) && copiedFolder !== '' && command.includes(copiedFolder)) ?? ''

/** The pnpm version the build stage installs (`npm install --global … pnpm@X`). */
export const dockerfilePnpmVersion = (buildStage === undefined ? [] : instructionsOf(buildStage, 'RUN'))
  .map((run) => run.getArgumentsContent()?.match(/npm install --global [^&]*\bpnpm@(\S+)/)?.[1])
  .find((version) => version !== undefined)

const toolsPnpm = join(repositoryRoot, '.beacon', 'tools', 'node_modules', 'pnpm')
export const toolsPnpmVersion = (JSON.parse(readFileSync(join(toolsPnpm, 'package.json'), 'utf8')) as { version: string }).version

/** Runs a command; resolves with its exit code and everything it printed. */
export function run (command: string, args: string[], options: { cwd: string, env: NodeJS.ProcessEnv }): Promise<{ code: number | null, output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, output }))
  })
}

/**
 * Runs installCommand in `appDir` with copiedFolder replaced by `runtimeDir`. The machine's pnpm
 * store stands in for the one `pnpm fetch` fills (the command is --offline: it downloads nothing);
 * The npm_config_* settings of a test run started through npm or pnpm are not passed on.
 */
export async function runProductionInstall (appDir: string, runtimeDir: string, shimDir: string) {
  writeFileSync(join(shimDir, 'pnpm'), `#!/bin/sh\nexec "${process.execPath}" "${join(toolsPnpm, 'bin', 'pnpm.cjs')}" "$@"\n`, { mode: 0o755 })
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm|pnpm)_config_/i.test(name)))
  env.PATH = [shimDir, dirname(process.execPath), process.env.PATH ?? ''].join(delimiter)
  const folder = new RegExp(`${copiedFolder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[/\\s]|$)`, 'g')
  return run('/bin/sh', ['-c', installCommand.replace(folder, runtimeDir)], { cwd: appDir, env })
}
