import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase } from '@beacon/testkit'
import t from 'tap'
import { startStandalone } from '../src/startup.js'

// npm start is a trial on http://127.0.0.1, where a browser drops a Secure cookie and the console
// could not keep its session; the api alone defaults to Secure (config-console.test.ts).
// guarantee: standalone-console-cookie-not-secure
t.test('npm start marks the console cookie Secure only when CONSOLE_COOKIE_SECURE says so', async (t) => {
  const database = await createTestDatabase()
  t.teardown(() => database.drop())
  const admin = { username: 'admin', password: 'standalone-cookie-password' }
  for (const [given, secure] of [[undefined, false], ['true', true]] as const) {
    const dataDir = await mkdtemp(join(tmpdir(), 'beacon-standalone-cookie-'))
    t.teardown(() => rm(dataDir, { recursive: true, force: true }))
    const standalone = await startStandalone({
      BEACON_DATA_DIR: dataDir,
      PORT: '0',
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      AUTH_USERNAME: admin.username,
      AUTH_PASSWORD: admin.password,
      MASTER_KEY: randomBytes(32).toString('base64'),
      ...(given === undefined ? {} : { CONSOLE_COOKIE_SECURE: given })
    })
    try {
      const response = await fetch(`${standalone.url}/console/api/session`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'x-beacon-console': '1' }, body: JSON.stringify(admin)
      })
      t.equal(response.status, 200)
      const cookie = response.headers.get('set-cookie') ?? ''
      t.match(cookie, /^beacon_console=/)
      t.equal(/;\s*Secure(;|$)/i.test(cookie), secure, `CONSOLE_COOKIE_SECURE ${given ?? 'unset'}: Secure ${String(secure)}`)
    } finally {
      await standalone.close()
    }
  }
})
