import { randomBytes } from 'node:crypto'
import { createDb, createSecretBox, DbErrorCode, type Db } from '@beacon/db'
import { createTestDatabase, sealVersion1 } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { createCredentialStore } from '../src/credentials.js'
import { unreadableCredentialsReason } from '../src/delivery/sends/outcomes.js'

const ACCOUNT = { project_id: 'p', client_email: 'sender@p.iam.gserviceaccount.com', private_key: 'the-private-key', token_uri: 'https://oauth2.example/token' }

async function setUp (t: Test) {
  const database = await createTestDatabase()
  const db = createDb({ url: database.url, poolSize: 2 })
  t.teardown(async () => {
    await db.$disconnect()
    await database.drop()
  })
  const masterKey = randomBytes(32)
  const box = createSecretBox(masterKey)
  const logged: Array<Record<string, unknown>> = []
  const store = createCredentialStore(db, box, { error: (entry) => { logged.push(entry) } })
  return { db, masterKey, box, store, logged }
}

/** An application with both platforms configured, each value sealed for its own row. */
async function configured (db: Db, box: ReturnType<typeof createSecretBox>, appId: string) {
  const { id } = await db.application.create({ data: { appId, name: String(appId), apnsBundle: 'b', apnsKeyId: 'K', apnsTeamId: 'T', fcmProjectId: 'p' } })
  await db.application.update({
    where: { id },
    data: {
      apnsPrivateKey: new Uint8Array(box.seal({ column: 'application.apns_private_key', rowId: id }, `pem of ${appId}`)),
      fcmServiceAccount: new Uint8Array(box.seal({ column: 'application.fcm_service_account', rowId: id }, JSON.stringify({ ...ACCOUNT, project_id: String(appId) }))),
      credentialsVersion: 1
    }
  })
  return id
}

t.test('credentials open in their place', async (t) => {
  const { db, box, store } = await setUp(t)
  const id = await configured(db, box, '5')
  const credentials = await store.load(id)
  t.match(credentials, { appId: '5', version: 1, apns: { privateKeyPem: 'pem of 5' }, fcm: { serviceAccount: { project_id: '5' } }, unreadable: {} })
})

t.test('an application with a text id (PowerAuth 1.3 and later): its credentials, its id as text', async (t) => {
  const { db, box, store } = await setUp(t)
  const id = await configured(db, box, 'mobile-app')
  const credentials = await store.load(id)
  t.match(credentials, { appId: 'mobile-app', apns: { privateKeyPem: 'pem of mobile-app' }, fcm: { serviceAccount: { project_id: 'mobile-app' } }, unreadable: {} })
})

t.test('a service account copied from another application\'s row: FCM unusable by code, APNs unaffected, logged without the value', async (t) => {
  const { db, box, store, logged } = await setUp(t)
  const source = await configured(db, box, '1')
  const target = await configured(db, box, '2')
  await db.$executeRaw`UPDATE application SET fcm_service_account = (SELECT fcm_service_account FROM application WHERE id = ${source}) WHERE id = ${target}`

  const credentials = await store.load(target)
  t.equal(credentials?.fcm, null, 'no FCM credentials to send with')
  t.same(credentials?.unreadable, { FCM: DbErrorCode.SECRET_UNREADABLE })
  t.equal(credentials?.apns?.privateKeyPem, 'pem of 2', 'APNs of the same application still opens')
  t.same(logged, [{ applicationId: target, appId: '2', column: 'application.fcm_service_account', code: DbErrorCode.SECRET_UNREADABLE }])
  t.notOk(JSON.stringify(logged).includes('private'), 'no value in the log')
  t.match(await store.load(source), { fcm: { serviceAccount: { project_id: '1' } }, unreadable: {} }, 'the source application is unaffected')

  // Not cached: the value put back by hand (no version bump) is used at the next command.
  await db.application.update({
    where: { id: target },
    data: { fcmServiceAccount: new Uint8Array(box.seal({ column: 'application.fcm_service_account', rowId: target }, JSON.stringify(ACCOUNT))) }
  })
  t.match(await store.load(target), { fcm: { serviceAccount: { project_id: 'p' } }, unreadable: {} })
})

t.test('an APNs key moved into the FCM column of the same row does not open either', async (t) => {
  const { db, box, store } = await setUp(t)
  const id = await configured(db, box, '3')
  await db.$executeRaw`UPDATE application SET fcm_service_account = apns_private_key WHERE id = ${id}`
  t.same((await store.load(id))?.unreadable, { FCM: DbErrorCode.SECRET_UNREADABLE })
})

t.test('while the one-time upgrade is pending, a version-1 value throws so the command is retried; once recorded, it is unreadable', async (t) => {
  const { db, box, masterKey, store, logged } = await setUp(t)
  const id = await configured(db, box, '4')
  // As the migration leaves a database that still held version-1 values: the api's next start re-seals them.
  await db.$executeRaw`UPDATE sealed_secret_format SET version_1_retired_at = NULL`
  await db.application.update({ where: { id }, data: { apnsPrivateKey: new Uint8Array(sealVersion1(masterKey, 'old pem')) } })
  await t.rejects(store.load(id), { code: DbErrorCode.SECRET_LEGACY_FORMAT }, 'pending: retried, not failed')
  t.same(logged, [])

  // The api has started and recorded the upgrade, yet this value is still (or again) version 1.
  await db.$executeRaw`UPDATE sealed_secret_format SET version_1_retired_at = now()`
  const credentials = await store.load(id)
  t.same(credentials?.unreadable, { APNS: DbErrorCode.SECRET_LEGACY_FORMAT })
  t.equal(credentials?.apns, null)
  t.same(logged, [{ applicationId: id, appId: '4', column: 'application.apns_private_key', code: DbErrorCode.SECRET_LEGACY_FORMAT }])

  // Recorded stays recorded for this process: a mark unset afterwards (by hand) does not bring retries back.
  await db.$executeRaw`UPDATE sealed_secret_format SET version_1_retired_at = NULL`
  t.same((await store.load(id))?.unreadable, { APNS: DbErrorCode.SECRET_LEGACY_FORMAT })
})

// The reviewer's finding for provider credentials: a version-1 service account of one application
// (from an old backup) planted into another's row must not send as that other application.
t.test('after the upgrade, another application\'s version-1 service account planted into a row: FCM fails by code and reason, APNs unaffected', async (t) => {
  const { db, box, masterKey, store, logged } = await setUp(t)
  const target = await configured(db, box, '7')
  const backup = sealVersion1(masterKey, JSON.stringify({ ...ACCOUNT, project_id: 'someone else' }))
  await db.application.update({ where: { id: target }, data: { fcmServiceAccount: new Uint8Array(backup) } })

  const credentials = await store.load(target)
  t.equal(credentials?.fcm, null, 'nothing to send with')
  t.same(credentials?.unreadable, { FCM: DbErrorCode.SECRET_LEGACY_FORMAT })
  t.equal(credentials?.apns?.privateKeyPem, 'pem of 7', 'APNs of the same application still opens')
  t.same(logged, [{ applicationId: target, appId: '7', column: 'application.fcm_service_account', code: DbErrorCode.SECRET_LEGACY_FORMAT }])
  t.notOk(JSON.stringify(logged).includes('someone else'), 'no value in the log')
  t.equal(unreadableCredentialsReason('FCM', '7', DbErrorCode.SECRET_LEGACY_FORMAT),
    'FCM credentials of application 7 cannot be opened (DB_SECRET_LEGACY_FORMAT): the stored value has the version-1 format, ' +
    'refused since the one-time upgrade; upload the application\'s FCM configuration again', 'the reason each send of that platform gets')

  // Uploaded again (sealed for its place): used at the next command.
  await db.application.update({
    where: { id: target },
    data: { fcmServiceAccount: new Uint8Array(box.seal({ column: 'application.fcm_service_account', rowId: target }, JSON.stringify(ACCOUNT))) }
  })
  t.match(await store.load(target), { fcm: { serviceAccount: { project_id: 'p' } }, unreadable: {} })
})
