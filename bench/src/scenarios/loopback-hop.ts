// What one hop between two processes costs on this machine, before any work: a Node process that
// wakes on a timer and writes 64 bytes to a TCP socket on 127.0.0.1, and another that wakes to
// read them, one write per wake-up (as a single message's steps are, when none travel together).
// A single message crosses ~20 such hops (client, api, PostgreSQL, NATS, dispatcher, provider
// mock and back), so this bounds from below what one message can cost when it travels alone.
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { cpuUsage } from 'node:process'

// The reader: counts its wake-ups and reports its CPU since the connection came.
const READER = `
const net = require('node:net')
let reads = 0
let start
const server = net.createServer((socket) => { start = process.cpuUsage(); socket.on('data', () => { reads++ }) })
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
process.on('message', () => {
  const used = process.cpuUsage(start)
  process.send({ reads, cpuMicroseconds: used.user + used.system }, () => process.exit(0))
})`

export interface LoopbackHop {
  scenario: 'loopback hop'
  writes: number
  /** The writer's CPU per wake-up and write, and per wake-up alone (the same timer without writing). */
  writerMicrosecondsPerWrite: number
  timerOnlyMicrosecondsPerTick: number
  /** The reader's CPU per wake-up that read something, and how many there were. */
  readerMicrosecondsPerRead: number
  reads: number
}

const ticks = (n: number, each: () => void) => new Promise<void>((resolve) => {
  let done = 0
  const timer = setInterval(() => {
    each()
    if (++done >= n) { clearInterval(timer); resolve() }
  }, 1)
})

const microsecondsSince = (start: NodeJS.CpuUsage, n: number) => {
  const used = cpuUsage(start)
  return Math.round((used.user + used.system) / n * 10) / 10
}

export async function runLoopbackHop ({ writes }: { writes: number }): Promise<LoopbackHop> {
  const reader = spawn(process.execPath, ['-e', READER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  // The reader's next message, or its death: whichever comes first lets go of the other's listener.
  const next = <T>() => new Promise<T>((resolve, reject) => {
    const exited = (code: number | null) => { reader.off('message', arrived); reject(new Error(`the reader exited (${code ?? 'signal'})`)) }
    const arrived = (message: unknown) => { reader.off('exit', exited); resolve(message as T) }
    reader.once('message', arrived).once('exit', exited)
  })
  try {
    const { port } = await next<{ port: number }>()
    const socket = connect(port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => { socket.once('connect', resolve).once('error', reject) })
    socket.setNoDelay(true)
    const payload = Buffer.alloc(64, 1)
    const writing = cpuUsage()
    await ticks(writes, () => { socket.write(payload) })
    const writerMicrosecondsPerWrite = microsecondsSince(writing, writes)
    // Let the last writes arrive before the reader reports.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const report = next<{ reads: number, cpuMicroseconds: number }>()
    reader.send('report')
    const { reads, cpuMicroseconds } = await report
    socket.destroy()
    const idle = cpuUsage()
    await ticks(writes, () => {})
    return {
      scenario: 'loopback hop',
      writes,
      writerMicrosecondsPerWrite,
      timerOnlyMicrosecondsPerTick: microsecondsSince(idle, writes),
      readerMicrosecondsPerRead: Math.round(cpuMicroseconds / Math.max(reads, 1) * 10) / 10,
      reads
    }
  } finally {
    reader.kill()
  }
}
