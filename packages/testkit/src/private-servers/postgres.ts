import { spawn, type ChildProcess } from 'node:child_process'
import { rmSync } from 'node:fs'
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { applyMigrations } from '@beacon/db'
import { freePort } from './free-port.js'

/**
 * A PostgreSQL cluster of the test's own, with Beacon's schema in its `postgres` database, to stop
 * and start again (the machine's is shared and never stopped).
 */
export interface PrivatePostgres {
  url: string
  port: number
  /** A fast shutdown: clients are cut off, the data stays. */
  stop (): Promise<void>
  /** Again on the same port and data. */
  start (): Promise<void>
  /** Stops it for good (immediate shutdown) and removes its files. */
  close (): Promise<void>
}

// PostgreSQL refuses to run as root: then the cluster runs as the `postgres` system user. Its
// programs are looked up on the PATH unless POSTGRES_BIN names their folder.
const program = (name: string) => (process.env.POSTGRES_BIN === undefined ? name : join(process.env.POSTGRES_BIN, name))

function exited (child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  })
}

/** Runs a program to its end (as `user` if given); rejects with its output if it fails. */
async function run (command: string, args: string[], user: { uid: number, gid: number } | object = {}): Promise<string> {
  const child = spawn(command, args, { ...user, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await exited(child)
  if (code !== 0) throw new Error(`${command} failed (${code}):\n${output}`)
  return output
}

async function systemUser (): Promise<{ uid: number, gid: number }> {
  if (userInfo().uid !== 0) return { uid: userInfo().uid, gid: userInfo().gid }
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).trim())
  return { uid: await id('-u'), gid: await id('-g') }
}

/** initdb, a server on a free port of 127.0.0.1 (fsync off: a restart stays cheap), and the migrations. */
export async function startPrivatePostgres (): Promise<PrivatePostgres> {
  const user = await systemUser()
  const folder = await mkdtemp(join(tmpdir(), 'beacon-private-pg-'))
  await chmod(folder, 0o700)
  await chown(folder, user.uid, user.gid)
  const data = join(folder, 'data')
  const port = await freePort()
  let server: ChildProcess | undefined
  // A test process that dies must not leave its server (or its files) behind.
  const abandon = () => {
    server?.kill('SIGQUIT')
    rmSync(folder, { recursive: true, force: true })
  }
  process.once('exit', abandon)

  const start = async () => {
    if (server !== undefined) throw new Error('the private PostgreSQL is already running')
    // Sockets stay in the test's folder.
    const child = spawn(program('postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', folder, '-c', 'fsync=off'],
      { ...user, stdio: ['ignore', 'pipe', 'pipe'] })
    server = child
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('ready to accept connections')) resolve()
      }
      child.stdout!.on('data', collect)
      child.stderr!.on('data', collect)
      child.once('exit', () => reject(new Error(`postgres exited at start:\n${output}`)))
    })
  }
  // SIGINT: a fast shutdown (clients cut off); SIGQUIT: an immediate one.
  const shutdown = async (signal: NodeJS.Signals) => {
    const child = server
    server = undefined
    if (child === undefined) return
    child.kill(signal)
    await exited(child)
  }
  const close = async () => {
    await shutdown('SIGQUIT')
    await rm(folder, { recursive: true, force: true })
    process.off('exit', abandon)
  }
  try {
    await run(program('initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions', '-E', 'UTF8'], user)
    await start()
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`
    await applyMigrations(url)
    return { url, port, stop: () => shutdown('SIGINT'), start, close }
  } catch (error) {
    await close()
    throw error
  }
}
