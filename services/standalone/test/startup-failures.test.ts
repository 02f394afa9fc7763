import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { acceptsConnections, freePort, occupyPort, spawnStandalone, temporaryDataDir } from './helpers/standalone-process.js'

// guarantee: standalone-start-failure, config-every-problem-at-once
t.test('a configuration error exits 1 with every problem named, before starting the database', async (t) => {
  const dataDir = await temporaryDataDir()
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const pgPort = await freePort()
  const run = spawnStandalone({ BEACON_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: String(await freePort()), AUTH_PASSWORD: 'short', LOG_LEVEL: 'loud' })
  t.equal(await run.exitCode, 1)
  t.match(run.stderr(), /Beacon could not start: invalid configuration:/)
  t.match(run.stderr(), '  - AUTH_PASSWORD must be at least 12 characters')
  t.match(run.stderr(), '  - LOG_LEVEL must be one of')
  t.notOk(existsSync(join(dataDir, 'postgres')), 'no cluster was created')
  t.equal(await acceptsConnections(pgPort), false)
})

t.test('a bad EMBEDDED_PG_PORT is a configuration error', async (t) => {
  const dataDir = await temporaryDataDir()
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const run = spawnStandalone({ BEACON_DATA_DIR: dataDir, EMBEDDED_PG_PORT: '70000' })
  t.equal(await run.exitCode, 1)
  t.match(run.stderr(), 'EMBEDDED_PG_PORT must be an integer from 1 to 65535, got "70000"')
})

// guarantee: standalone-start-failure
t.test('ports in use: a clear message, exit 1, and the embedded database stopped again', async (t) => {
  const dataDir = await temporaryDataDir()
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const pgPort = await freePort()
  const httpPort = await freePort()
  const env = { BEACON_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: String(httpPort) }

  const pgBlocker = await occupyPort(pgPort)
  const pgTaken = spawnStandalone(env)
  t.equal(await pgTaken.exitCode, 1, 'the database port is taken')
  pgBlocker.close()
  t.match(pgTaken.stderr(), `Beacon could not start: embedded PostgreSQL did not start on port ${pgPort}`)
  t.match(pgTaken.stderr(), /Address already in use/, 'with PostgreSQL\'s own reason')

  const httpBlocker = await occupyPort(httpPort)
  t.teardown(() => { httpBlocker.close() })
  const httpTaken = spawnStandalone(env)
  t.equal(await httpTaken.exitCode, 1, 'the http port is taken')
  t.match(httpTaken.stderr(), `Beacon could not start: port ${httpPort} on 127.0.0.1 is already in use: stop what uses it or set PORT`)
  t.equal(await acceptsConnections(pgPort), false, 'the embedded PostgreSQL it had started is stopped')
  t.notOk(existsSync(join(dataDir, 'postgres', 'postmaster.pid')), 'and shut down cleanly')
})

// guarantee: auth-disabled-loopback-only
t.test('AUTH_DISABLED=true on a non-loopback HOST is a configuration error', async (t) => {
  const dataDir = await temporaryDataDir()
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const pgPort = await freePort()
  const run = spawnStandalone({ BEACON_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), AUTH_DISABLED: 'true', HOST: '0.0.0.0' })
  t.equal(await run.exitCode, 1)
  t.match(run.stderr(), '  - AUTH_DISABLED=true is only allowed when the api listens on a loopback address (HOST 127.0.0.1, ::1 or localhost), not HOST=0.0.0.0')
  t.notOk(existsSync(join(dataDir, 'postgres')), 'refused before the database starts')
})
