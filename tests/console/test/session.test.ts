import t from 'tap'
import { ADMIN, startConsole } from './browser.js'

// Sign-in, a wrong password, who is signed in, sign-out: the console's session as a browser lives it.
t.test('sign-in refuses a wrong password, opens the console with the right one, and sign-out ends the session', async (t) => {
  const { page, context, consoleUrl, foreignRequests, signIn, screenshot, pipeline, checkAccessibility } = await startConsole(t)

  const served = await page.goto(consoleUrl)
  t.equal(served?.status(), 200, 'the api serves the console page')
  t.match(served?.headers()['content-security-policy'], /script-src 'self'/, 'under a policy that allows only its own scripts')
  await page.getByRole('heading', { name: 'Beacon console' }).waitFor()
  await screenshot('sign-in')
  await checkAccessibility(t, 'the sign-in page')

  await signIn('not-the-password')
  await page.getByRole('alert').filter({ hasText: 'Wrong username or password' }).waitFor()
  t.same((await context.cookies()).map((cookie) => cookie.name), [], 'a wrong password sets no cookie')

  // By keyboard alone: Tab to each field, Enter to sign in.
  await page.getByLabel('Username').fill('')
  await page.getByLabel('Password').fill('')
  await page.getByLabel('Username').focus()
  await page.keyboard.type('admin')
  await page.keyboard.press('Tab')
  t.equal(await page.evaluate('document.activeElement.name'), 'password', 'Tab goes from the username to the password')
  await page.keyboard.type(ADMIN.password)
  await page.keyboard.press('Enter')
  await page.getByRole('navigation', { name: 'Console' }).waitFor()
  const [cookie] = await context.cookies()
  t.equal(cookie?.name, 'beacon_console', 'the session cookie is set')
  t.equal(cookie?.httpOnly, true, 'out of the page script\'s reach')
  t.equal(cookie?.sameSite, 'Strict', 'and never sent by another site\'s request')
  t.ok((cookie?.expires ?? -1) > Date.now() / 1000, 'with an expiry')
  await page.getByText('admin', { exact: true }).waitFor()

  // Every page of the console, opened from the navigation by keyboard (Tab to the link, Enter),
  // passes axe-core's WCAG 2 A and AA rules (the pages' data-filled states are checked in their own tests).
  for (const title of ['Applications', 'Devices', 'Send', 'Messages', 'Campaigns', 'Developers', 'System']) {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: title }).focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { level: 1, name: title }).waitFor()
    await checkAccessibility(t, `the ${title} page`)
  }

  // A reload keeps the session: the page asks who is signed in.
  await page.reload()
  await page.getByRole('navigation', { name: 'Console' }).waitFor()

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('button', { name: 'Sign in' }).waitFor()
  t.same((await context.cookies()).map((c) => c.name), [], 'sign-out clears the cookie')
  // The old cookie no longer opens anything, on any instance (revoked in the database).
  const replayed = await fetch(`${pipeline.url}/admin/app/list`, { headers: { cookie: `beacon_console=${cookie!.value}`, 'x-beacon-console': '1' } })
  t.equal(replayed.status, 401, 'the signed-out cookie, replayed, is refused')
  t.same(foreignRequests, [], 'the page requested nothing from another origin')
})

// guarantee: console-session-idle
t.test('a console left open on its System page, which polls every 2 s, is signed out after CONSOLE_SESSION_IDLE_S', async (t) => {
  const console = await startConsole(t, { apiEnv: { CONSOLE_SESSION_IDLE_S: '4' } })
  const { page, open } = console
  await console.signIn()
  await open('System')
  await page.getByRole('cell', { name: 'database' }).waitFor()
  // Nothing done from here: the page's polls alone must not keep the session. Signed out 4 s after
  // the last request the admin made (the page's first read of the System page), at a poll.
  const left = Date.now()
  await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 20_000 })
  t.ok(Date.now() - left < 20_000, 'back at the sign-in with the System page still open')
  t.same((await console.context.cookies()).map((cookie) => cookie.name), [], 'the dead cookie is cleared')
})
