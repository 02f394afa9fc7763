import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createDb } from '@beacon/db'
import t from 'tap'
import { embeddedDatabaseUrl } from '../src/embedded-postgres.js'
import { parseBanner, request } from './helpers/http.js'
import { acceptsConnections, freePort, spawnStandalone, temporaryDataDir } from './helpers/standalone-process.js'

// guarantee: standalone-secrets-reused, standalone-shutdown
t.test('first start creates everything, a restart finds it again', async (t) => {
  const dataDir = await temporaryDataDir()
  const pgPort = await freePort()
  const env = { BEACON_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: String(await freePort()) }
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))

  const first = spawnStandalone(env)
  t.teardown(() => { first.child.kill('SIGTERM') })
  await first.waitForStdout(/Stop with Ctrl\+C/)
  const { url, credentials } = parseBanner(first.stdout())
  t.match(url, new RegExp(`^http://127\\.0\\.0\\.1:${env.PORT}$`), 'listens on 127.0.0.1 and the PORT given')
  t.equal(credentials.username, 'admin')
  t.match(first.stdout(), `embedded PostgreSQL on 127.0.0.1:${pgPort}, created now`)
  t.match(first.stdout(), /migrations applied: \d+_init/)

  // The generated secrets: kept private, and only the admin password is ever shown.
  const stateFile = join(dataDir, 'standalone.json')
  t.equal((await stat(stateFile)).mode & 0o777, 0o600, 'standalone.json is readable by its owner only')
  const state = JSON.parse(await readFile(stateFile, 'utf8'))
  t.equal(state.adminPassword, credentials.password, 'the printed password is the stored one')
  t.equal(Buffer.from(state.masterKey, 'base64').length, 32)
  t.notMatch(first.stdout() + first.stderr(), state.masterKey, 'the master key is not printed')
  t.notMatch(first.stdout() + first.stderr(), state.postgresPassword, 'the database password is not printed')

  const status = await request(`${url}/push/service/status`, 'GET', credentials)
  t.equal(status.status, 200)
  t.equal(status.body.status, 'OK')
  const anonymous = await request(`${url}/push/service/status`, 'GET')
  t.equal(anonymous.status, 401)
  t.equal(anonymous.body.responseObject.code, 'ERROR_UNAUTHORIZED')

  // The web console, built by the root scripts on a fresh clone, served at the address printed.
  t.match(first.stdout(), `console:  ${url}/console/`)
  const page = await fetch(`${url}/console/`)
  t.equal(page.status, 200, 'npm start serves the console page')
  t.match(await page.text(), /<title>Beacon console<\/title>/)

  // The console's sign-in on a plain-HTTP trial: its cookie without Secure, or the browser may drop it.
  const signIn = await fetch(`${url}/console/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-beacon-console': '1' }, body: JSON.stringify(credentials) })
  t.equal(signIn.status, 200)
  t.match(signIn.headers.get('set-cookie'), /^beacon_console=/)
  t.notMatch(signIn.headers.get('set-cookie'), /;\s*Secure/i, 'npm start: the console cookie is not Secure')

  const created = await request(`${url}/admin/app/create`, 'POST', credentials, { requestObject: { appId: 4, appName: 'standalone test' } })
  t.equal(created.status, 200, JSON.stringify(created.body))
  const id = created.body.responseObject.id
  t.type(id, 'number')

  // The row is in the embedded database itself.
  const db = createDb({ url: embeddedDatabaseUrl(pgPort, state.postgresPassword), poolSize: 1 })
  const row = await db.application.findUnique({ where: { id } })
  await db.$disconnect()
  t.equal(row?.appId, '4', 'stored as text')
  t.equal(row?.name, 'standalone test')

  first.child.kill('SIGTERM')
  t.equal(await first.exitCode, 0, 'SIGTERM ends it with exit code 0')
  t.match(first.stdout(), /Beacon stopped\./)
  t.equal(await acceptsConnections(pgPort), false, 'the embedded PostgreSQL stopped with it')

  const second = spawnStandalone(env)
  t.teardown(() => { second.child.kill('SIGTERM') })
  await second.waitForStdout(/Stop with Ctrl\+C/)
  const again = parseBanner(second.stdout())
  t.same(again.credentials, credentials, 'the same credentials on the next start')
  t.notMatch(second.stdout(), /created now/, 'the cluster is not initialised again')
  t.notMatch(second.stdout(), /migrations applied/, 'nothing left to migrate')
  const list = await request(`${again.url}/admin/app/list`, 'GET', again.credentials)
  t.equal(list.status, 200)
  t.same(list.body.responseObject.applicationList.map((app: { id: number }) => app.id), [id], 'the application is still there')

  second.child.kill('SIGINT')
  t.equal(await second.exitCode, 0, 'SIGINT ends it with exit code 0 as well')
  t.equal(await acceptsConnections(pgPort), false)
})
