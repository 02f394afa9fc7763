import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { watch } from 'node:fs'
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { freePort, temporaryDataDir } from '../helpers/standalone-process.js'

// The fixture as this file runs: TypeScript through tsx, or the transpiled mirror with plain node.
const self = fileURLToPath(import.meta.url)
const fixture = fileURLToPath(new URL(`../fixtures/stop-then-exit${extname(self)}`, import.meta.url))
const nodeArgs = extname(self) === '.ts' ? ['--import=tsx', '--conditions=beacon-source'] : ['--conditions=beacon-js']

t.test('once stop() resolves, PostgreSQL\'s log file holds its last line, and a process that exits then leaves it whole', async (t) => {
  const dataDir = await temporaryDataDir()
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const child = spawn(process.execPath, [...nodeArgs, fixture, dataDir, String(await freePort())], { stdio: ['ignore', 'pipe', 'inherit'] })
  let stdout = ''
  child.stdout.on('data', (chunk) => { stdout += chunk })
  const [code] = await once(child, 'exit')
  t.equal(code, 0)
  const { logFile, atStop } = JSON.parse(stdout) as { logFile: string, atStop: string }
  // main.ts exits once the stop resolves, and the lines still queued in the write stream then are
  // lost (ctrl-c's test once found the log short of its last line). Before the stop waited for
  // the stream, the file lacked the line when stop() resolved in 1 of 3 runs.
  t.match(atStop, /database system is shut down\n$/, 'when stop() resolved: the shutdown\'s last line, at the end of the file')
  t.equal(await readFile(logFile, 'utf8'), atStop, 'nothing came after')
})

// initdb reads the password from a file in the temp folder while it runs (a few seconds). With
// the package's default mode any local user could read it there; the patch makes it its owner's
// alone (the postgres system user's when Beacon runs as root, as initdb then does).
// guarantee: embedded-password-file-private
t.test('the password file initdb reads is readable by its owner only while it exists', async (t) => {
  const dataDir = await temporaryDataDir()
  // A temp folder of the test's own, which initdb as the postgres user can pass through.
  const privateTmp = await mkdtemp(join(tmpdir(), 'beacon-pwfile-'))
  await chmod(privateTmp, 0o711)
  t.teardown(() => Promise.all([rm(dataDir, { recursive: true, force: true }), rm(privateTmp, { recursive: true, force: true })]))
  const seen: Array<{ mode: number, uid: number }> = []
  const watcher = watch(privateTmp, (_event, name) => {
    if (name?.startsWith('pg-password-') !== true) return
    stat(join(privateTmp, name)).then(({ mode, uid }) => { seen.push({ mode: mode & 0o777, uid }) }, () => {})
  })
  t.teardown(() => { watcher.close() })
  const child = spawn(process.execPath, [...nodeArgs, fixture, dataDir, String(await freePort())], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: privateTmp } })
  child.stdout.resume()
  const [code] = await once(child, 'exit')
  t.equal(code, 0, 'the cluster was created and started')
  t.ok(seen.length > 0, 'the password file was seen')
  t.same([...new Set(seen.map(({ mode }) => mode.toString(8)))], ['600'], 'readable and writable by its owner only, whenever seen')
  // Created by root, then given to the postgres user before initdb starts.
  if (userInfo().uid === 0) t.ok(seen.some(({ uid }) => uid !== 0), 'owned by the postgres user initdb runs as')
  t.same((await readdir(privateTmp)).filter((name) => name.startsWith('pg-password-')), [], 'removed after initdb')
})
