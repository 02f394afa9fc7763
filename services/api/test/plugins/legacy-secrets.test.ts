import { sealVersion1 } from '@beacon/testkit'
import t from 'tap'
import { buildApp } from '../helper.js'
import { CARRIER, KEY, SECRET, signedInject } from '../routes/developer-api/signing-fixtures.js'

const ECHO = '/api/1.0/debug/echo'

// A database upgraded from a Beacon that sealed everything under MASTER_KEY itself (version 1):
// the next api to start re-seals those values bound to their place, and they keep working.
t.test('the api re-seals version-1 secrets when it starts; a second start changes nothing', async (t) => {
  const first = await buildApp(t)
  const masterKey = first.config.masterKey
  const pool = first.app.db.pool
  const { rows: [application] } = await pool.query<{ id: number }>(
    `INSERT INTO application (app_id, name, carrier_domain, apns_private_key, fcm_service_account, updated_at)
     VALUES (1, 'carrier', $1, $2, $3, now()) RETURNING id`, [CARRIER, sealVersion1(masterKey, 'apns pem'), sealVersion1(masterKey, '{"fcm":true}')])
  const { rows: [developer] } = await pool.query<{ id: number }>(
    'INSERT INTO developer (key, name, secret, updated_at) VALUES ($1, $2, $3, now()) RETURNING id', [KEY, 'Old developer', sealVersion1(masterKey, SECRET)])
  await pool.query('INSERT INTO developer_application (developer_id, application_id) VALUES ($1, $2)', [developer!.id, application!.id])
  t.equal((await signedInject(first.app, { url: ECHO })).statusCode, 401, 'before the migration a version-1 secret is not accepted')

  const env = { DATABASE_URL: first.databaseUrl, NATS_PREFIX: first.config.nats.prefix, MASTER_KEY: masterKey.toString('base64') }
  const second = await buildApp(t, env, { captureLogs: true })
  t.match(second.logs(), /"level":40.*"resealed":\{"application.apns_private_key":1,"application.fcm_service_account":1,"developer.secret":1\}.*re-sealed 3 secret\(s\) of the version-1 format/)
  const stored = await pool.query<{ apns: Buffer, fcm: Buffer, secret: Buffer }>(
    'SELECT a.apns_private_key AS apns, a.fcm_service_account AS fcm, d.secret FROM application a, developer d WHERE a.id = $1 AND d.id = $2',
    [application!.id, developer!.id])
  const row = stored.rows[0]!
  t.same([row.apns[0], row.fcm[0], row.secret[0]], [2, 2, 2], 'all version 2 now')
  const secrets = second.app.secrets
  t.equal(secrets.open({ column: 'application.apns_private_key', rowId: application!.id }, row.apns).toString(), 'apns pem')
  t.equal(secrets.open({ column: 'application.fcm_service_account', rowId: application!.id }, row.fcm).toString(), '{"fcm":true}')
  t.equal((await signedInject(second.app, { url: ECHO })).statusCode, 200, 'the developer signs as before')

  const third = await buildApp(t, env, { captureLogs: true })
  t.notMatch(third.logs(), /re-sealed/, 'nothing left to re-seal')
  const again = await pool.query<{ secret: Buffer }>('SELECT secret FROM developer WHERE id = $1', [developer!.id])
  t.same(again.rows[0]!.secret, row.secret, 'unchanged by the second start')
})
