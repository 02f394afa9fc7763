import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { createDb } from '@beacon/db'
import t from 'tap'
import { embeddedDatabaseUrl } from '../src/embedded-postgres.js'
import { parseBanner, request } from './helpers/http.js'
import { acceptsConnections, freePort, spawnStandalone, temporaryDataDir } from './helpers/standalone-process.js'

// A line of a JavaScript stack trace ("    at fn (file:line:col)"), or an uncaught error's heading.
const STACK = /^\s+at .+|Unhandled|uncaught/im

// guarantee: standalone-shutdown, standalone-ctrl-c-repeated
t.test('Ctrl+C (SIGINT to the whole process group), pressed twice: the api and dispatcher stop before PostgreSQL, quietly, exit 0', async (t) => {
  const dataDir = await temporaryDataDir()
  const pgPort = await freePort()
  const env = { BEACON_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: String(await freePort()), LOG_LEVEL: 'info' }
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))

  // A first start creates the cluster; PostgreSQL is told to log every session's end from the next start on.
  const first = spawnStandalone(env)
  t.teardown(() => { first.child.kill('SIGKILL') })
  await first.waitForStdout(/Stop with Ctrl\+C/)
  const { postgresPassword } = JSON.parse(await readFile(join(dataDir, 'standalone.json'), 'utf8'))
  const db = createDb({ url: embeddedDatabaseUrl(pgPort, postgresPassword), poolSize: 1 })
  await db.$executeRawUnsafe('ALTER SYSTEM SET log_disconnections = on')
  await db.$disconnect()
  first.child.kill('SIGTERM')
  t.equal(await first.exitCode, 0)

  const standalone = spawnStandalone(env, { processGroup: true })
  const group = -standalone.child.pid!
  t.teardown(() => { try { process.kill(group, 'SIGKILL') } catch { /* already gone */ } })
  await standalone.waitForStdout(/Stop with Ctrl\+C/)
  const { url, credentials } = parseBanner(standalone.stdout())
  // Work for the database: the api holds pooled sessions when the signal comes.
  const created = await request(`${url}/admin/app/create`, 'POST', credentials, { requestObject: { appId: 9, appName: 'ctrl-c' } })
  t.equal(created.status, 200)
  // Fastify logs a request once the response has finished on its side, which on a loaded machine can
  // come after the client already has the answer: wait for that line so the stop's lines stand alone.
  await standalone.waitForStdout(/"url":"\/admin\/app\/create".*"msg":"request completed"/)
  // From here on the log is the stop's: the sessions the api and dispatcher hold end in it.
  const stopLogStart = (await readFile(join(dataDir, 'postgres.log'), 'utf8')).length

  process.kill(group, 'SIGINT')
  // A second Ctrl+C while it stops, as an impatient operator presses it: ignored.
  await new Promise((resolve) => setTimeout(resolve, 50))
  process.kill(group, 'SIGINT')
  t.equal(await standalone.exitCode, 0, 'exit code 0')
  t.equal(standalone.stdout().match(/stopping Beacon/g)?.length, 1, 'the second Ctrl+C started nothing')
  const output = standalone.stdout() + standalone.stderr()
  t.notMatch(output, STACK, 'no stack traces')
  t.match(standalone.stdout(), /SIGINT: stopping Beacon…\nBeacon stopped\.\n/)
  t.equal(await acceptsConnections(pgPort), false, 'PostgreSQL stopped with it')

  // The order, in PostgreSQL's own log: every session (the api's, the dispatcher's) ended before
  // PostgreSQL was asked to stop. (Reached by the terminal's SIGINT, it began its fast shutdown with
  // the api's sessions still open, and cut them.)
  const log = (await readFile(join(dataDir, 'postgres.log'), 'utf8')).slice(stopLogStart)
  const shutdown = log.indexOf('received fast shutdown request')
  t.ok(shutdown >= 0, 'PostgreSQL was asked to stop')
  t.equal(log.indexOf('received fast shutdown request', shutdown + 1), -1, 'once')
  // Its last line: the log was captured to the end (a session cut late would be logged before it).
  t.ok(log.indexOf('database system is shut down') > shutdown, 'the log runs to the end of the shutdown')
  const ends = [...log.matchAll(/disconnection: session time/g)].map((match) => match.index)
  t.ok(ends.length >= 1, `the sessions Beacon held ended (${ends.length} sessions)`)
  // A backend logs its disconnection before it closes its socket, and Beacon's pools resolve their
  // end only once every socket is closed (createDb's $disconnect): so each line comes before the
  // shutdown request. (pg-pool's own end() resolved before its clients had ended; under load the
  // shutdown then cut a session or two.)
  t.same(ends.filter((at) => at > shutdown), [], 'every one ended before PostgreSQL was asked to stop')
  t.notMatch(log, /terminating connection due to administrator command/, 'no session was cut by the shutdown')
})
