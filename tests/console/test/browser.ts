import { existsSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { repositoryRoot, startPipeline, type Pipeline, type PipelineOptions } from '@beacon/testkit'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'
import type { Test } from 'tap'

export { BUNDLE, androidToken, iosToken, until } from '@beacon/testkit'

/** The pipeline's admin credentials (packages/testkit's pipeline.ts). */
export const ADMIN = { username: 'admin', password: 'e2e-password-123456' }

/** Debian's Chromium, which the project's setup installs (scripts/tooling.mjs, ensureChromium). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The README's screenshots, remade by every run of these tests. */
export const SCREENSHOTS = join(repositoryRoot, 'docs', 'console')

// Without the background services that would try Google's hosts from a machine with no route out
// (refused connections, lookups that fail at every start); and, as root (CI here), without the
// sandbox, which Chromium refuses to start as root.
const CHROMIUM_ARGS = [
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'
]

export interface ConsoleHarness {
  pipeline: Pipeline
  browser: Browser
  context: BrowserContext
  page: Page
  /** The console's address, `http://127.0.0.1:<port>/console/`. */
  consoleUrl: string
  /** Every request the page made to another origin than the api's (must stay empty). */
  foreignRequests: string[]
  /** Signs in through the form. */
  signIn (password?: string): Promise<void>
  /** Opens a page of the console by its navigation link. */
  open (title: string): Promise<void>
  /** Saves the page as docs/console/<name>.png for the README, `hide` painted over (a secret). */
  screenshot (name: string, hide?: Locator[]): Promise<void>
  /** Runs axe-core's WCAG 2 A and AA rules on the page as it is; fails the test on any violation. */
  checkAccessibility (t: Test, what: string): Promise<void>
}

// axe-core, the accessibility engine of browsers' own audits, run inside the page. Evaluated
// through the DevTools protocol, which the page's Content-Security-Policy does not govern: the
// policy stays enforced for everything else.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
interface AxeViolation { id: string, impact: string | null, help: string, nodes: Array<{ target: string[] }> }

/** The whole pipeline (api with the console, a dispatcher, the provider mocks) and a browser on its console. */
export async function startConsole (t: Test, options: PipelineOptions = {}): Promise<ConsoleHarness> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run npm run setup (it installs Debian's chromium)`)
  const pipeline = await startPipeline({ ...options, apiEnv: { CONSOLE_COOKIE_SECURE: 'false', ...options.apiEnv } })
  t.teardown(() => pipeline.close())
  // (Playwright gives the browser a fresh, empty profile of its own and removes it after.)
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, baseURL: pipeline.url })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: pipeline.url })
  const page = await context.newPage()
  const foreignRequests: string[] = []
  page.on('request', (request) => {
    if (!request.url().startsWith(pipeline.url) && !request.url().startsWith('data:')) foreignRequests.push(request.url())
  })
  // An error in the page's own script fails the test that caused it.
  const pageErrors: string[] = []
  page.on('pageerror', (error) => { pageErrors.push(error.message) })
  // So does anything the Content-Security-Policy refused (Chromium reports it on the console).
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(`CSP: ${message.text()}`)
  })
  t.teardown(() => { if (pageErrors.length > 0) t.fail(`errors in the page: ${pageErrors.join('; ')}`) })
  await mkdir(SCREENSHOTS, { recursive: true })
  const consoleUrl = `${pipeline.url}/console/`
  return {
    pipeline,
    browser,
    context,
    page,
    consoleUrl,
    foreignRequests,
    async signIn (password = ADMIN.password) {
      await page.goto(consoleUrl)
      await page.getByLabel('Username').fill(ADMIN.username)
      await page.getByLabel('Password').fill(password)
      await page.getByRole('button', { name: 'Sign in' }).click()
    },
    async open (title) {
      await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: title }).click()
      await page.getByRole('heading', { level: 1, name: title }).waitFor()
    },
    async screenshot (name, hide = []) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, mask: hide })
    },
    async checkAccessibility (t, what) {
      if (await page.evaluate('typeof window.axe') === 'undefined') await page.evaluate(axeSource)
      const violations = await page.evaluate('window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))') as AxeViolation[]
      t.same(violations.map((v) => `${v.id} (${v.impact ?? ''}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), [], `${what}: no WCAG 2 A/AA violation`)
    }
  }
}
