import pg from 'pg'
import t from 'tap'
import { createDb } from '../src/client.js'
import { isPoolFailure, worthRunningAgain } from '../src/pool-failures.js'
import { adminDatabaseUrl, createTestDatabase, withClient } from './helpers/databases.js'

t.test('an idle connection the server ends is dropped quietly; the next statement reconnects', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const shared = createDb({ url: db.url, poolSize: 1 })
  t.teardown(() => shared.$disconnect())
  const before = (await shared.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
  // Prisma never connected here (as in a dispatcher): only createDb's listener hears the error;
  // without it the 'error' event would end this test process.
  await withClient(adminDatabaseUrl, (admin) => admin.query('SELECT pg_terminate_backend($1)', [before]))
  for (let i = 0; i < 40 && shared.pool.idleCount > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(shared.pool.idleCount, 0, 'the pool dropped the ended connection, and the process lives on')
  const after = (await shared.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
  t.not(after, before, 'a new connection served the next statement')
})

t.test('isPoolFailure: the database refusing a statement, or no connection; not our own defects', async (t) => {
  const db = await createTestDatabase()
  t.teardown(db.drop)
  const shared = createDb({ url: db.url, poolSize: 1 })
  t.teardown(() => shared.$disconnect())
  const refused = await shared.pool.query('SELECT 1 / 0').catch((error: unknown) => error)
  t.ok(isPoolFailure(refused), 'division by zero: a DatabaseError')
  const unreachable = new pg.Pool({ connectionString: 'postgresql://postgres@127.0.0.1:1/none', max: 1 })
  t.teardown(() => unreachable.end())
  const noConnection = await unreachable.query('SELECT 1').catch((error: unknown) => error)
  t.ok(isPoolFailure(noConnection), `no server: ${String(noConnection)}`)
  // The URL asks for verified TLS: the test server has none (ssl = off here), or a certificate
  // this client does not trust. No connection can be had either way.
  const url = new URL(db.url)
  url.searchParams.set('sslmode', 'verify-full')
  const noTls = new pg.Pool({ connectionString: url.toString(), max: 1 })
  t.teardown(() => noTls.end())
  const tlsRefused = await noTls.query('SELECT 1').catch((error: unknown) => error)
  t.ok(isPoolFailure(tlsRefused), `no TLS on the server: ${String(tlsRefused)}`)
  t.notOk(isPoolFailure(new TypeError('cannot read properties of undefined')))
  t.notOk(isPoolFailure('a string'))
})

t.test('worthRunningAgain: a statement whose answer may be lost, or that PostgreSQL asks to run again; not one refused or never sent', async (t) => {
  const state = (code: string) => Object.assign(new pg.DatabaseError('refused', 0, 'error'), { code })
  const errno = (code: string) => Object.assign(new Error(`connect ${code}`), { code })
  t.equal(worthRunningAgain(new Error('Connection terminated unexpectedly')), true, 'the connection ended after the statement was sent')
  t.equal(worthRunningAgain(new Error('Query read timeout')), true, 'no answer in time')
  t.equal(worthRunningAgain(errno('ECONNRESET')), true, 'reset mid-statement')
  t.equal(worthRunningAgain('not an Error'), true, 'unknown: the answer may be lost')
  t.equal(worthRunningAgain(state('40P01')), true, 'a deadlock')
  t.equal(worthRunningAgain(state('40001')), true, 'a serialization failure')
  t.equal(worthRunningAgain(state('23505')), false, 'a refusal')
  t.equal(worthRunningAgain(state('57014')), false, 'cancelled by statement_timeout')
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
    t.equal(worthRunningAgain(errno(code)), false, `${code}: no connection made, nothing sent`)
  }
  for (const message of ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout', 'The server does not support SSL connections',
    'Client was closed and is not queryable', 'Client has encountered a connection error and is not queryable']) {
    t.equal(worthRunningAgain(new Error(message)), false, `${message}: nothing sent`)
  }
})
