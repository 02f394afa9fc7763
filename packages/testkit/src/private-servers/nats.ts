import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.js'

/** A nats-server with JetStream that one test owns: it may stop it and start it again (never the shared one). */
export interface PrivateNats {
  url: string
  /** Stops the server (SIGKILL: an outage, not a goodbye); its store stays. */
  stop (): Promise<void>
  /** Starts it again on the same port and store: streams and consumers are back. */
  start (): Promise<void>
  /** Stops it for good and removes its store. */
  close (): Promise<void>
}

const listening = (port: number) => new Promise<boolean>((resolve) => {
  const socket = connect(port, '127.0.0.1')
  socket.once('connect', () => { socket.destroy(); resolve(true) })
  socket.once('error', () => resolve(false))
})

/** Starts `nats-server -js` on a free port of 127.0.0.1 with a temporary store. */
export async function startPrivateNats (): Promise<PrivateNats> {
  const port = await freePort()
  const store = await mkdtemp(join(tmpdir(), 'beacon-private-nats-'))
  let child: ChildProcess | undefined
  const kill = () => { child?.kill('SIGKILL') }
  // A test process that dies must not leave its server behind.
  process.once('exit', kill)
  const start = async () => {
    if (child !== undefined) throw new Error('the private nats-server is already running')
    child = spawn('nats-server', ['-js', '-sd', store, '-p', String(port), '-a', '127.0.0.1'], { stdio: 'ignore' })
    const deadline = Date.now() + 10_000
    while (!(await listening(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('the private nats-server did not start')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const stop = async () => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
    await new Promise<void>((resolve) => { running.once('exit', () => resolve()); running.kill('SIGKILL') })
  }
  await start()
  return {
    url: `nats://127.0.0.1:${port}`,
    stop,
    start,
    async close () {
      await stop()
      process.off('exit', kill)
      await rm(store, { recursive: true, force: true })
    }
  }
}
