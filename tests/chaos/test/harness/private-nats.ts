import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@beacon/testkit'
import { exited, guardChild, guardFolder } from './child-guard.js'

/** A nats-server with JetStream that one test owns: it may stop it and start it again. */
export interface PrivateNats {
  url: string
  port: number
  /** Its files (store or data directory, sockets): removed by close(). */
  folder: string
  /** Stops the server (SIGKILL: an outage, not a goodbye); the store directory stays. */
  stop (): Promise<void>
  /** Starts it again on the same port and store directory: streams and consumers are back. */
  start (): Promise<void>
  /** Stops it for good and removes its store directory. */
  close (): Promise<void>
}

export async function startPrivateNats (): Promise<PrivateNats> {
  const folder = await mkdtemp(join(tmpdir(), 'beacon-chaos-nats-'))
  const folderGuard = guardFolder(folder)
  const port = await freePort()
  let child: ChildProcess | undefined

  const start = async () => {
    if (child !== undefined) throw new Error('the private nats-server is already running')
    const server = spawn('nats-server', ['-js', '-sd', folder, '-p', String(port), '-a', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] })
    guardChild(server)
    child = server
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString()
        if (/Server is ready/.test(output)) resolve()
      }
      server.stdout!.on('data', collect)
      server.stderr!.on('data', collect)
      server.once('exit', () => reject(new Error(`nats-server exited at start:\n${output}`)))
    })
  }
  const stop = async () => {
    const server = child
    if (server === undefined) return
    child = undefined
    server.kill('SIGKILL')
    await exited(server)
  }
  try {
    await start()
  } catch (error) {
    await rm(folder, { recursive: true, force: true })
    folderGuard.release()
    throw error
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    folder,
    stop,
    start,
    async close () {
      await stop()
      await rm(folder, { recursive: true, force: true })
      folderGuard.release()
    }
  }
}
