import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { applyMigrations } from '@beacon/db'
import { freePort } from '@beacon/testkit'
import { exited, guardChild, guardFolder } from './child-guard.js'

/** A PostgreSQL cluster that one test owns, with Beacon's schema in its `postgres` database. */
export interface PrivatePostgres {
  /** The migrated database's URL. */
  url: string
  port: number
  /** Its files (store or data directory, sockets): removed by close(). */
  folder: string
  /** A fast shutdown (clients cut off, as when the server goes away); the data stays. */
  stop (): Promise<void>
  /** Starts it again on the same port and data directory. */
  start (): Promise<void>
  /** Stops it for good (immediate shutdown) and removes its files. */
  close (): Promise<void>
}

// PostgreSQL refuses to run as root: the cluster and its server run as the `postgres` system user.
// Its programs are looked up on the PATH unless POSTGRES_BIN names their folder.
const program = (name: string) => (process.env.POSTGRES_BIN === undefined ? name : join(process.env.POSTGRES_BIN, name))

async function systemUser (name: string): Promise<{ uid: number, gid: number }> {
  const id = (flag: string) => new Promise<number>((resolve, reject) => {
    const child = spawn('id', [flag, name])
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    child.once('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`no system user ${name}`))))
  })
  return { uid: await id('-u'), gid: await id('-g') }
}

function run (command: string, args: string[], user: { uid: number, gid: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program(command), args, { ...user, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} failed (${code}):\n${output}`))))
  })
}

export async function startPrivatePostgres (): Promise<PrivatePostgres> {
  const user = userInfo().uid === 0 ? await systemUser('postgres') : { uid: userInfo().uid, gid: userInfo().gid }
  const folder = await mkdtemp(join(tmpdir(), 'beacon-chaos-pg-'))
  const folderGuard = guardFolder(folder)
  await chmod(folder, 0o700)
  await chown(folder, user.uid, user.gid)
  const data = join(folder, 'data')
  const port = await freePort()
  let child: ChildProcess | undefined

  const start = async () => {
    if (child !== undefined) throw new Error('the private PostgreSQL is already running')
    // No durability needed: fsync off keeps a restart cheap. Sockets stay in the test's folder.
    const server = spawn(program('postgres'), [
      '-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', folder,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'
    ], { ...user, stdio: ['ignore', 'pipe', 'pipe'] })
    // SIGQUIT: immediate shutdown, the server's children included.
    guardChild(server, 'SIGQUIT')
    child = server
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString()
        if (/ready to accept connections/.test(output)) resolve()
      }
      server.stdout!.on('data', collect)
      server.stderr!.on('data', collect)
      server.once('exit', () => reject(new Error(`postgres exited at start:\n${output}`)))
    })
  }
  const shutdown = async (signal: NodeJS.Signals) => {
    const server = child
    if (server === undefined) return
    child = undefined
    server.kill(signal)
    await exited(server)
  }
  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '--no-instructions', '-E', 'UTF8'], user)
    await start()
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`
    await applyMigrations(url)
    return {
      url,
      port,
      folder,
      stop: () => shutdown('SIGINT'),
      start,
      async close () {
        await shutdown('SIGQUIT')
        await rm(folder, { recursive: true, force: true })
        folderGuard.release()
      }
    }
  } catch (error) {
    await shutdown('SIGQUIT')
    await rm(folder, { recursive: true, force: true })
    folderGuard.release()
    throw error
  }
}
