import { developerClient, iosToken, startCallbackReceiver } from '@beacon/testkit'
import t from 'tap'
import { startConsole } from './browser.js'

const CARRIER = 'console.example'

// The Developers page (the secret shown once and copied, rotate, disable, grants, callbacks) and the
// System page (readiness, charts), against the real pipeline and a developer's callback server.
t.test('an admin creates a developer, copies its secret, rotates it, changes its grants, reads its callbacks and the system\'s state', async (t) => {
  const console = await startConsole(t, { apiEnv: { INAPP_ACK_TIMEOUT_MS: '300', CALLBACK_BASE_DELAY_MS: '50' } })
  const { page, pipeline, open, screenshot, checkAccessibility } = console
  await pipeline.configureApplication('dev-app')
  t.equal((await pipeline.call('PUT', '/admin/app/carrier', { requestObject: { appId: 'dev-app', carrierDomain: CARRIER } })).status, 200)
  const secrets = new Map<string, string>()
  const receiver = await startCallbackReceiver({ developers: (key) => secrets.get(key) })
  t.teardown(() => receiver.close())
  const echo = async (key: string, secret: string) => (await developerClient({ baseUrl: pipeline.url, key, secret }).request('GET', '/api/1.0/debug/echo')).status
  // Rotating asks for a confirmation first.
  page.on('dialog', (dialog) => { dialog.accept().catch(() => {}) })

  await console.signIn()
  await open('Developers')
  const form = page.getByRole('form', { name: 'Create developer' })
  await form.getByLabel('Name').fill('Acme')
  await form.getByLabel('Carrier domains').fill(CARRIER)
  await form.getByLabel('Callback URL').fill(receiver.url('/hooks/acme'))
  await form.getByRole('button', { name: 'Create developer' }).click()

  const shownOnce = page.getByRole('region', { name: 'Secret of Acme' })
  await shownOnce.waitFor()
  const secret = (await shownOnce.getByLabel('Secret').textContent()) ?? ''
  const key = (await shownOnce.locator('code').first().textContent()) ?? ''
  t.match(secret, /^\S{20,}$/, 'the secret is shown')
  await shownOnce.getByRole('button', { name: 'Copy secret' }).click()
  await shownOnce.getByRole('status').filter({ hasText: 'Copied' }).waitFor()
  t.equal(await page.evaluate('navigator.clipboard.readText()'), secret, 'the copy button put the secret on the clipboard')
  t.equal(await echo(key, secret), 200, 'the copied secret signs requests')
  // The README shows the panel, not a secret (a throwaway one, but scanners cannot tell).
  await screenshot('developers', [shownOnce.getByLabel('Secret')])
  await checkAccessibility(t, 'the Developers page with a secret shown')
  await shownOnce.getByRole('button', { name: 'I have stored it' }).click()
  t.notOk((await page.content()).includes(secret), 'once dismissed, the secret is nowhere on the page')
  t.notOk((await (await pipeline.call('GET', '/admin/developer/list')).body.responseObject.developerList.some((d: { secret?: string }) => d.secret !== undefined)), 'nor in the list')

  await page.getByRole('button', { name: 'Rotate secret of Acme' }).click()
  const rotated = page.getByRole('region', { name: 'Secret of Acme' })
  await rotated.waitFor()
  const newSecret = (await rotated.getByLabel('Secret').textContent()) ?? ''
  t.not(newSecret, secret, 'a new secret')
  t.equal(await echo(key, secret), 401, 'the old secret no longer signs')
  t.equal(await echo(key, newSecret), 200, 'the new one does')
  secrets.set(key, newSecret)
  await rotated.getByRole('button', { name: 'I have stored it' }).click()

  await page.getByRole('button', { name: 'Disable Acme' }).click()
  await page.getByRole('button', { name: 'Enable Acme' }).waitFor()
  t.equal(await echo(key, newSecret), 401, 'a disabled developer is refused')
  await page.getByRole('button', { name: 'Enable Acme' }).click()
  await page.getByRole('button', { name: 'Disable Acme' }).waitFor()
  t.equal(await echo(key, newSecret), 200, 'enabled again')

  await page.getByRole('button', { name: 'Grants of Acme' }).click()
  const grants = page.getByRole('form', { name: 'Grants of Acme' })
  await grants.getByLabel('Applications').fill('dev-app')
  await grants.getByRole('button', { name: 'Save grants' }).click()
  await page.getByRole('cell', { name: `dev-app (${CARRIER})` }).waitFor()
  const developer = (await pipeline.call('GET', '/admin/developer/list')).body.responseObject.developerList[0]
  t.same(developer.applications, [{ appId: 'dev-app', carrierDomain: CARRIER }], 'the grant is stored')

  // A message to a user with no device and no socket: its push fails, and the developer is called back.
  const sent = await developerClient({ baseUrl: pipeline.url, key, secret: newSecret }).request('POST', `/api/1.0/push/nobody@${CARRIER}`, { content: 'hi', push: { content: 'hi by push' } })
  t.equal(sent.status, 200)
  const { requestId } = await sent.json() as { requestId: string }
  await receiver.until((all) => all.some((callback) => callback.verified && callback.body.includes(requestId)))
  await page.getByRole('button', { name: 'Callbacks of Acme' }).click()
  const callbacks = page.getByRole('region', { name: 'Recent callbacks' })
  await pipeline.until(async () => {
    await callbacks.getByRole('button', { name: 'Refresh' }).click()
    return await callbacks.getByRole('row').filter({ hasText: requestId }).filter({ hasText: 'DELIVERED' }).count() === 1
  }, 'the callback listed as delivered')
  t.pass('the delivered callback is listed with its request id')
  await checkAccessibility(t, 'the Developers page with its callbacks')

  // Some traffic for the System page's charts: notifications sent while it reads.
  await pipeline.registerDevice('dev-app', { token: iosToken(), platform: 'ios', userId: 'carol' })
  await open('System')
  for (let i = 0; i < 6; i++) {
    const answer = await pipeline.call('POST', '/push/message/send', { requestObject: { appId: 'dev-app', message: { userId: 'carol', body: { title: 'System', body: `note ${i}` } } } })
    t.equal(answer.status, 200, `message ${i} sent`)
    await new Promise((resolve) => setTimeout(resolve, 700))
  }
  await page.getByText(/Since start: [1-9]\d* notifications sent/).waitFor()
  const readiness = page.getByRole('region', { name: 'Readiness' })
  for (const part of ['database', 'nats', 'streams']) {
    await readiness.getByRole('row').filter({ hasText: part }).filter({ hasText: 'ready' }).waitFor()
  }
  // Two readings make the first point of each chart.
  await page.getByRole('figure', { name: 'Notifications per second' }).locator('canvas').waitFor()
  await page.getByRole('figure', { name: 'Requests per second and 5xx share' }).getByText(/requests\/s: \d/).waitFor()
  await screenshot('system')
  await checkAccessibility(t, 'the System page with its charts')
  t.same(console.foreignRequests, [], 'the page requested nothing from another origin')
})
