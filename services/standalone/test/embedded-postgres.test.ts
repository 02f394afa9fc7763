import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import t from 'tap'
import { startEmbeddedPostgres } from '../src/embedded-postgres.js'
import { freePort, temporaryDataDir } from './helpers/standalone-process.js'

t.test('once stop() resolves, PostgreSQL\'s log file holds its last line', async (t) => {
  const dataDir = await temporaryDataDir()
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), password: 'stop-test' })
  await postgres.stop()
  // Read at once, as a process that exits right after the stop would leave it: lines still in
  // the write stream's queue then were lost (the file ended before the shutdown's last line).
  const log = readFileSync(postgres.logFile, 'utf8')
  t.match(log, /database system is shut down\n$/, 'the shutdown\'s last line, at the end of the file')
})
