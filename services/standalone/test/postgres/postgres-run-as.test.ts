import { execFileSync } from 'node:child_process'
import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { startEmbeddedPostgres } from '../../src/embedded-postgres.js'
import { freePort, temporaryDataDir } from '../helpers/standalone-process.js'

/** The effective user id a process runs as (/proc/<pid>/status, `Uid:` real effective saved fs). */
async function uidOf (pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/^Uid:\s+(\d+)\s+(\d+)/m.exec(status)![2])
}

// PostgreSQL refuses to run as root; npm start on a root shell (a container, a fresh VM) must still
// work, and not by running the cluster with root's rights. The user's creation when missing is not
// tested: removing the machine's postgres user would take the shared PostgreSQL's with it.
// guarantee: embedded-postgres-runs-as-postgres
t.test('started as root, the embedded PostgreSQL runs as the postgres system user and its cluster is that user\'s', async (t) => {
  const dataDir = await temporaryDataDir()
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), password: 'run-as-test' })
  t.teardown(() => postgres.stop())
  const pid = Number((await readFile(join(postgres.directory, 'postmaster.pid'), 'utf8')).split('\n')[0])
  const expected = process.getuid!() === 0
    ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
    : process.getuid!()
  if (process.getuid!() === 0) t.not(expected, 0, 'a postgres user other than root')
  t.equal(await uidOf(pid), expected, `the postmaster (pid ${pid}) runs as ${process.getuid!() === 0 ? 'postgres' : 'the user who started it'}`)
  t.equal((await stat(postgres.directory)).uid, expected, 'the cluster\'s folder is that user\'s')
})
