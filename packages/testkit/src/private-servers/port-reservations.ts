import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Where test processes note the ports they handed out, one empty file `<port>.<pid>` each, so that
 * no other test process on the machine hands the same port out while the first one's child is still
 * starting. A port checked free and handed to a child stays unbound for the seconds the child takes
 * to start, and a second process checking it then finds it free too: a full run failed so once
 * (EADDRINUSE on 127.0.0.1:26782, a restarted api in the fault suite).
 */
export const defaultReservations = join(tmpdir(), 'beacon-test-ports')

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: alive, another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

const ownFiles = new Set<string>()
const swept = new Set<string>()
let exitHookInstalled = false

function holders (folder: string, port: number): number[] {
  const prefix = `${port}.`
  return readdirSync(folder).filter((name) => name.startsWith(prefix)).map((name) => Number(name.slice(prefix.length)))
}

/** Removes the notes of processes that are gone (killed, so their exit hook never ran). */
function sweep (folder: string): void {
  for (const name of readdirSync(folder)) {
    const pid = Number(name.slice(name.indexOf('.') + 1))
    // A gone process never writes again, so removing its note races with no one.
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue
    // Another user's, in the sticky folder: theirs to remove (their next sweep does).
    try { rmSync(join(folder, name), { force: true }) } catch { /* EPERM */ }
  }
}

/**
 * The folder, writable by every user as the temp folder itself is (sticky: each removes only its
 * own notes), so that tests run by another user on the machine share it instead of failing on it.
 */
function prepare (folder: string): void {
  mkdirSync(folder, { recursive: true })
  try { chmodSync(folder, 0o1777) } catch { /* another user's folder, made so by them */ }
}

/**
 * Notes `port` as this process's for as long as it lives; false when another living test process
 * noted it. Each process writes its own note first and only then reads the others': of two
 * processes noting one port at once, the later reader sees the earlier writer, so both may back
 * off but never both keep it. Processes remove only their own notes, and those of the dead.
 */
export function reservePort (port: number, folder = defaultReservations): boolean {
  if (!swept.has(folder)) {
    prepare(folder)
    sweep(folder)
    swept.add(folder)
  }
  const own = join(folder, `${port}.${process.pid}`)
  writeFileSync(own, '')
  ownFiles.add(own)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.once('exit', () => { for (const file of ownFiles) rmSync(file, { force: true }) })
  }
  if (holders(folder, port).every((pid) => pid === process.pid || !alive(pid))) return true
  rmSync(own, { force: true })
  ownFiles.delete(own)
  return false
}
