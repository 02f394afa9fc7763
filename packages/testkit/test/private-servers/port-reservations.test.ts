import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { test, type Test } from 'tap'
import { freePort, freePortRange } from '../../src/private-servers/free-port.js'
import { reservePort } from '../../src/private-servers/port-reservations.js'
import { entryArgs } from '../../src/processes.js'

const moduleEntry = fileURLToPath(new URL('../../src/private-servers/port-reservations.ts', import.meta.url))

function canListen (port: number): Promise<boolean> {
  const server = createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

async function folder (t: Test): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'beacon-ports-test-'))
  t.teardown(() => rm(path, { recursive: true, force: true }))
  return path
}

/** Another test process: it reserves `port` in `reservations` and lives until its stdin closes. */
async function otherProcess (t: Test, reservations: string, port: number) {
  const args = entryArgs(moduleEntry)
  const module = pathToFileURL(args.at(-1)!).href
  const script = `const { reservePort } = await import(${JSON.stringify(module)})
console.log(reservePort(${port}, ${JSON.stringify(reservations)}) ? 'reserved' : 'refused')
process.stdin.resume(); process.stdin.on('end', () => process.exit(0))`
  const child = spawn(process.execPath, [...args.slice(0, -1), '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill('SIGKILL') })
  const [line] = await once(child.stdout, 'data') as [Buffer]
  const exited = once(child, 'exit')
  return {
    answer: line.toString().trim(),
    pid: child.pid!,
    exit: async () => { child.stdin.end(); await exited },
    kill: async () => { child.kill('SIGKILL'); await exited }
  }
}

test('a port another living process reserved is refused; free again once it exits, its note gone', async (t) => {
  const reservations = await folder(t)
  const other = await otherProcess(t, reservations, 20001)
  t.equal(other.answer, 'reserved', 'the first process to note the port keeps it')
  t.equal(reservePort(20001, reservations), false, 'refused while the other process lives')
  t.same(await readdir(reservations), [`20001.${other.pid}`], 'the refused note is withdrawn')
  t.equal(reservePort(20002, reservations), true, 'another port is not held by it')
  await other.exit()
  t.same((await readdir(reservations)).filter((name) => name.startsWith('20001.')), [], 'its exit removed its note')
  t.equal(reservePort(20001, reservations), true, 'reserved once the other process is gone')
})

test('the folder is made writable by every user and sticky, as the temp folder is', async (t) => {
  const reservations = join(await folder(t), 'ports')
  t.equal(reservePort(20009, reservations), true)
  t.equal((await stat(reservations)).mode & 0o7777, 0o1777)
})

test('a port reserved here is refused to another process', async (t) => {
  const reservations = await folder(t)
  t.equal(reservePort(20003, reservations), true)
  const other = await otherProcess(t, reservations, 20003)
  t.equal(other.answer, 'refused', 'the other process backs off')
  await other.exit()
  t.same(await readdir(reservations), [`20003.${process.pid}`], 'only this process notes the port')
})

test('the note of a killed process holds nothing: swept at the next first use of the folder', async (t) => {
  const reservations = await folder(t)
  const other = await otherProcess(t, reservations, 20004)
  const living = await otherProcess(t, reservations, 20005)
  await other.kill()
  t.same((await readdir(reservations)).sort(), [`20004.${other.pid}`, `20005.${living.pid}`], 'a killed process leaves its note')
  // Written as if by a process that is gone (pids are at most 2^22 on Linux).
  await writeFile(join(reservations, '20006.99999999'), '')
  t.equal(reservePort(20004, reservations), true, 'the port of the dead process is reserved')
  t.same((await readdir(reservations)).sort(), [`20004.${process.pid}`, `20005.${living.pid}`], 'the dead notes swept, the living one kept')
  t.equal(reservePort(20005, reservations), false, 'the living one still holds its port')
  await living.exit()
})

test('a port whose holder was killed after the sweep is reserved again', async (t) => {
  const reservations = await folder(t)
  t.equal(reservePort(20007, reservations), true, 'the folder swept at this first use')
  const other = await otherProcess(t, reservations, 20008)
  t.equal(reservePort(20008, reservations), false, 'held while its holder lives')
  await other.kill()
  t.equal(reservePort(20008, reservations), true, 'a dead holder holds nothing')
})

test('freePort skips a port another test process reserved, though nothing listens on it yet', async (t) => {
  const range = freePortRange()
  // Without room outside the ephemeral range freePort takes the kernel's choice (free-port.test.ts).
  if (range === null) return
  const reservations = await folder(t)
  const { low, high } = range
  const at = (port: number) => (port - low + 0.5) / (high - low + 1)
  // A port nothing listens on, so that only the reservation can make freePort skip it.
  let wanted = low + 4242
  while (!await canListen(wanted)) wanted++
  const other = await otherProcess(t, reservations, wanted)
  t.equal(other.answer, 'reserved')
  const choices = [wanted, wanted + 1]
  const port = await freePort({ reservations, random: () => at(choices.shift() ?? wanted + 2) })
  t.not(port, wanted, 'the reserved port is skipped')
  t.ok((await readdir(reservations)).includes(`${port}.${process.pid}`), 'the port handed out is reserved here')
  await other.exit()
})
