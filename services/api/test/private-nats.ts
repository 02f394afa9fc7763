import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@beacon/testkit'
import type { Test } from 'tap'

/** A nats-server of the test's own (JetStream on a temporary store), to stop and start again. */
export interface PrivateNats {
  url: string
  stop (): Promise<void>
  start (): Promise<void>
}

async function listening (port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

export async function startPrivateNats (t: Test): Promise<PrivateNats> {
  const port = await freePort()
  const store = await mkdtemp(join(tmpdir(), 'beacon-nats-'))
  let child: ChildProcess | undefined
  const start = async () => {
    child = spawn('nats-server', ['-js', '-sd', store, '-p', String(port), '-a', '127.0.0.1'], { stdio: 'ignore' })
    const deadline = Date.now() + 10_000
    while (!(await listening(port))) {
      if (Date.now() > deadline) throw new Error('the private nats-server did not start')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  const stop = async () => {
    const running = child
    child = undefined
    if (running === undefined || running.exitCode !== null) return
    await new Promise<void>((resolve) => { running.once('exit', () => resolve()); running.kill('SIGTERM') })
  }
  await start()
  t.teardown(async () => {
    await stop()
    await rm(store, { recursive: true, force: true })
  })
  return { url: `nats://127.0.0.1:${port}`, stop, start }
}
