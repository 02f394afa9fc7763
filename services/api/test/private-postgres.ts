import { spawn, type ChildProcess } from 'node:child_process'
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { applyMigrations } from '@beacon/db'
import { freePort } from '@beacon/testkit'
import type { Test } from 'tap'

/**
 * A PostgreSQL cluster of the test's own, with Beacon's schema, to stop and start again (the
 * machine's is shared and never stopped). Like tests/chaos's, without its process guards:
 * the teardown stops it.
 */
export interface PrivatePostgres {
  url: string
  /** A fast shutdown: clients are cut off, the data stays. */
  stop (): Promise<void>
  /** Again on the same port and data. */
  start (): Promise<void>
}

// PostgreSQL refuses to run as root: then the cluster runs as the `postgres` system user.
const program = (name: string) => (process.env.POSTGRES_BIN === undefined ? name : join(process.env.POSTGRES_BIN, name))

function exitCode (child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  })
}

async function systemUser (): Promise<{ uid: number, gid: number }> {
  if (userInfo().uid !== 0) return { uid: userInfo().uid, gid: userInfo().gid }
  const id = async (flag: string) => {
    const child = spawn('id', [flag, 'postgres'])
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString() })
    if (await exitCode(child) !== 0) throw new Error('no system user postgres')
    return Number(out.trim())
  }
  return { uid: await id('-u'), gid: await id('-g') }
}

export async function startPrivatePostgres (t: Test): Promise<PrivatePostgres> {
  const user = await systemUser()
  const folder = await mkdtemp(join(tmpdir(), 'beacon-api-pg-'))
  await chmod(folder, 0o700)
  await chown(folder, user.uid, user.gid)
  const data = join(folder, 'data')
  const port = await freePort()
  let server: ChildProcess | undefined

  const start = async () => {
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
  const shutdown = async (signal: NodeJS.Signals) => {
    const child = server
    server = undefined
    if (child === undefined) return
    child.kill(signal)
    await exitCode(child)
  }
  t.teardown(async () => {
    await shutdown('SIGQUIT')
    await rm(folder, { recursive: true, force: true })
  })
  const initdb = spawn(program('initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'], { ...user, stdio: 'ignore' })
  if (await exitCode(initdb) !== 0) throw new Error('initdb failed')
  await start()
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`
  await applyMigrations(url)
  return { url, stop: () => shutdown('SIGINT'), start }
}
