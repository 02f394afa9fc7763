import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase, startApnsMock, startFcmMock } from '@beacon/testkit'
import t from 'tap'
import { request } from './helpers/http.js'
import { freePort, spawnStandalone, temporaryDataDir } from './helpers/standalone-process.js'

// NATS_URL points at a closed port (see spawnStandalone): the send can only have gone through
// the in-process transport to the in-process dispatcher.
t.test('the embedded default sends: api and dispatcher in one process, no NATS', async (t) => {
  const dataDir = await temporaryDataDir()
  const database = await createTestDatabase()
  const apns = await startApnsMock()
  const fcm = await startFcmMock()
  const folder = await mkdtemp(join(tmpdir(), 'beacon-standalone-'))
  await writeFile(join(folder, 'ca.pem'), apns.ca)
  await writeFile(join(folder, 'fcm-ca.pem'), fcm.ca)
  t.teardown(async () => {
    await Promise.all([apns.close(), fcm.close()])
    await rm(dataDir, { recursive: true, force: true })
    await rm(folder, { recursive: true, force: true })
    await database.drop()
  })
  const credentials = { username: 'operator', password: 'operator-password-123' }
  const run = spawnStandalone({
    BEACON_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    DATABASE_URL: database.url,
    AUTH_USERNAME: credentials.username,
    AUTH_PASSWORD: credentials.password,
    APNS_ENDPOINT: `https://localhost:${apns.port}`,
    APNS_CA_FILE: join(folder, 'ca.pem'),
    FCM_ENDPOINT: fcm.endpoint,
    FCM_CA_FILE: join(folder, 'fcm-ca.pem'),
    // The FCM mock is its own token endpoint, on 127.0.0.1 (read by the api and the dispatcher).
    FCM_TOKEN_URIS: fcm.tokenUri,
    FCM_TOKEN_ALLOW_PRIVATE_NETWORKS: 'true'
  })
  t.teardown(() => { run.child.kill('SIGKILL') })
  await run.waitForStdout(/Stop with Ctrl\+C/)
  const url = run.stdout().match(/Beacon is running at (\S+)/)?.[1] ?? ''
  const call = (method: string, path: string, body?: unknown) => request(`${url}${path}`, method, credentials, body)

  const { body: { responseObject: { id } } } = await call('POST', '/admin/app/create', { requestObject: { appId: 2 } })
  const key = apns.createKey({ bundles: ['com.example.app'] })
  const account = fcm.createServiceAccount({ projectId: 'standalone-test' })
  t.equal((await call('PUT', '/admin/app/ios/update', { requestObject: { id, bundle: 'com.example.app', keyId: key.keyId, teamId: key.teamId, privateKeyBase64: Buffer.from(key.privateKeyPem).toString('base64') } })).status, 200)
  t.equal((await call('PUT', '/admin/app/android/update', { requestObject: { id, projectId: 'standalone-test', privateKeyBase64: Buffer.from(JSON.stringify(account)).toString('base64') } })).status, 200)
  const ios = randomBytes(32).toString('hex')
  const android = `${randomBytes(8).toString('base64url')}:APA91b${randomBytes(40).toString('base64url')}`
  for (const [token, platform] of [[ios, 'ios'], [android, 'android']]) {
    t.equal((await call('POST', '/push/device/create', { requestObject: { appId: 2, token, platform, activationId: `a-${platform}`, userId: '123' } })).status, 200)
  }
  const sent = await call('POST', '/push/message/send', { requestObject: { appId: 2, message: { userId: '123', body: { title: 'Hello', body: 'from one process' } } } })
  t.equal(sent.status, 200, JSON.stringify(sent.body))
  t.same(sent.body.responseObject.result, { ios: { sent: 1, pending: 0, failed: 0, total: 1 }, android: { sent: 1, pending: 0, failed: 0, total: 1 } })
  t.match(apns.received(ios)[0]?.payload, { aps: { alert: { title: 'Hello', body: 'from one process' } } })
  t.match(fcm.received(android)[0]?.message, { android: { notification: { title: 'Hello', body: 'from one process' } } })

  // One process, one /metrics on the API port, without credentials: the dispatcher's sends and
  // provider latencies are there beside the api's requests.
  const scrape = await fetch(`${url}/metrics`)
  t.equal(scrape.status, 200)
  const metrics = await scrape.text()
  const value = (pattern: RegExp) => Number(metrics.match(pattern)?.[1] ?? 0)
  for (const provider of ['apns', 'fcm']) {
    t.equal(value(new RegExp(`^beacon_sends_total\\{provider="${provider}",outcome="sent",reason="none"\\} (\\d+)`, 'm')), 1, `${provider}: one send counted`)
    t.equal(value(new RegExp(`^beacon_provider_request_duration_seconds_count\\{provider="${provider}",result="ok"\\} (\\d+)`, 'm')), 1, `${provider}: one request timed`)
  }
  t.ok(value(/^beacon_http_request_duration_seconds_count\{method="POST",route="\/push\/message\/send",status_code="200"\} (\d+)/m) >= 1, 'the api\'s send request is timed')

  run.child.kill('SIGTERM')
  t.equal(await run.exitCode, 0, 'stops cleanly with the dispatcher inside')
})
