import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, chmod } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { entryArgs, freePort } from '@beacon/testkit'

export { freePort }

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

// Nothing of the test runner's environment may decide how the child starts.
const INHERITED_OUT = ['DATABASE_URL', 'MASTER_KEY', 'AUTH_USERNAME', 'AUTH_PASSWORD', 'AUTH_DISABLED', 'HOST', 'PORT',
  'BEACON_DATA_DIR', 'EMBEDDED_PG_PORT', 'NODE_OPTIONS', 'TLS_CERT_FILE', 'TLS_KEY_FILE']

export interface StandaloneProcess {
  child: ChildProcess
  stdout (): string
  stderr (): string
  /** Resolves with the first match in stdout; rejects when the process exits first. */
  waitForStdout (pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>
  exitCode: Promise<number | null>
}

/**
 * `src/main.ts` as `pnpm start` runs it, with `env` on top of a clean environment. With
 * `processGroup` it leads a process group of its own, as a terminal's foreground job does:
 * `process.kill(-child.pid, 'SIGINT')` is then Ctrl+C, reaching it and every child it started.
 */
export function spawnStandalone (env: Record<string, string>, options: { processGroup?: boolean } = {}): StandaloneProcess {
  const base: Record<string, string | undefined> = { ...process.env }
  for (const name of INHERITED_OUT) delete base[name]
  const child = spawn(process.execPath, entryArgs('src/main.ts'), {
    cwd: packageDir,
    // No NATS settings: the embedded default runs api and dispatcher on its in-process transport.
    env: { ...base, LOG_LEVEL: 'warn', NATS_URL: 'nats://127.0.0.1:1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup === true
  })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const waitForStdout = (pattern: RegExp, timeoutMs = 60_000) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const match = stdout.match(pattern)
      if (match === null) return
      cleanup()
      resolve(match)
    }
    const exited = () => { cleanup(); reject(new Error(`exited before printing ${pattern}:\n${stdout}\n${stderr}`)) }
    const timer = setTimeout(() => { cleanup(); reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${stdout}\n${stderr}`)) }, timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      child.stdout!.off('data', check)
      child.off('exit', exited)
    }
    child.stdout!.on('data', check)
    child.once('exit', exited)
    check()
  })

  return { child, stdout: () => stdout, stderr: () => stderr, waitForStdout, exitCode }
}

/** A data folder of its own; 0755 because PostgreSQL runs as `postgres` when tests run as root. */
export async function temporaryDataDir (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-standalone-'))
  await chmod(dir, 0o755)
  return dir
}

export function occupyPort (port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(server))
  })
}

export function acceptsConnections (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}
