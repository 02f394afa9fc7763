import { randomBytes } from 'node:crypto'
import { createDb, createSecretBox, DbErrorCode, type Db } from '@beacon/db'
import { createTestDatabase, sealVersion1 } from '@beacon/testkit'
import t, { type Test } from 'tap'
import { createCredentialStore } from '../src/credentials.js'

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
async function configured (db: Db, box: ReturnType<typeof createSecretBox>, appId: bigint) {
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
  const id = await configured(db, box, 5n)
  const credentials = await store.load(id)
  t.match(credentials, { appId: 5n, version: 1, apns: { privateKeyPem: 'pem of 5' }, fcm: { serviceAccount: { project_id: '5' } }, unreadable: {} })
})

t.test('a service account copied from another application\'s row: FCM unusable by code, APNs unaffected, logged without the value', async (t) => {
  const { db, box, store, logged } = await setUp(t)
  const source = await configured(db, box, 1n)
  const target = await configured(db, box, 2n)
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
  const id = await configured(db, box, 3n)
  await db.$executeRaw`UPDATE application SET fcm_service_account = apns_private_key WHERE id = ${id}`
  t.same((await store.load(id))?.unreadable, { FCM: DbErrorCode.SECRET_UNREADABLE })
})

t.test('a value still of the version-1 format throws, so the command is retried until the api has re-sealed it', async (t) => {
  const { db, box, masterKey, store } = await setUp(t)
  const id = await configured(db, box, 4n)
  await db.application.update({ where: { id }, data: { apnsPrivateKey: new Uint8Array(sealVersion1(masterKey, 'old pem')) } })
  await t.rejects(store.load(id), { code: DbErrorCode.SECRET_LEGACY_FORMAT })
})
