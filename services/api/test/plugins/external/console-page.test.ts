import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import consolePage, { CONSOLE_CSP } from '../../../src/plugins/external/console-page.js'
import { rawRequest } from '../../raw-http.js'

/** A built page in a folder of its own, beside a file that must never be served. */
async function builtPage (t: Test) {
  const folder = await mkdtemp(join(tmpdir(), 'beacon-console-page-'))
  t.teardown(() => rm(folder, { recursive: true, force: true }))
  const web = join(folder, 'web')
  await mkdir(join(web, 'assets'), { recursive: true })
  await writeFile(join(web, 'index.html'), '<!doctype html><title>Beacon console</title>')
  await writeFile(join(web, 'assets', 'index-abc123.js'), 'console.log(1)')
  await writeFile(join(web, '.env'), 'SECRET=dotfile')
  await writeFile(join(folder, 'secret.txt'), 'SECRET=outside')
  return web
}

async function serve (t: Test, dir: string) {
  const app = Fastify()
  await app.register(consolePage, { dir })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  return { app, port: (app.server.address() as { port: number }).port }
}

// guarantee: console-page-policy
t.test('the page and its assets, under a policy that allows nothing from elsewhere', async (t) => {
  const { app } = await serve(t, await builtPage(t))
  const bare = await app.inject({ method: 'GET', url: '/console' })
  t.equal(bare.statusCode, 302)
  t.equal(bare.headers.location, '/console/', '/console goes to the page (its relative assets need the slash)')
  const page = await app.inject({ method: 'GET', url: '/console/' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /Beacon console/)
  t.equal(page.headers['content-security-policy'], CONSOLE_CSP)
  t.match(CONSOLE_CSP, /default-src 'none'/)
  t.match(CONSOLE_CSP, /frame-ancestors 'none'/)
  t.equal(page.headers['x-content-type-options'], 'nosniff')
  t.equal(page.headers['x-frame-options'], 'DENY')
  t.equal(page.headers['cache-control'], 'no-cache', 'the page is revalidated: a new build shows at the next load')
  const asset = await app.inject({ method: 'GET', url: '/console/assets/index-abc123.js' })
  t.equal(asset.statusCode, 200)
  t.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable', 'hashed assets are cached for good')
  t.equal(asset.headers['content-security-policy'], CONSOLE_CSP)
})

// guarantee: console-page-files-only
t.test('no spelling of a path serves a file outside the page, a dotfile, or a listing', async (t) => {
  const { port } = await serve(t, await builtPage(t))
  const targets = [
    '/console/../secret.txt', '/console/..%2fsecret.txt', '/console/%2e%2e/secret.txt', '/console/%2e%2e%2fsecret.txt',
    '/console/assets/../../secret.txt', '/console/..\\secret.txt', '/console/%2e%2e%5csecret.txt', '/console//../secret.txt',
    '/console/.env', '/console/%2eenv', '/console/assets/', '/console/assets', '/console/secret.txt%00.js', '/console/index.html%00'
  ]
  for (const target of targets) {
    const response = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close`)
    t.notMatch(response.body, /SECRET=/, `${target}: ${response.status}, no secret`)
    t.ok(response.status >= 300, `${target}: not served (${response.status})`)
  }
})

t.test('an api without a built page serves none, and says so at start', async (t) => {
  const logs: string[] = []
  const app = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => { logs.push(line) } } } })
  const empty = await mkdtemp(join(tmpdir(), 'beacon-console-none-'))
  t.teardown(() => rm(empty, { recursive: true, force: true }))
  await app.register(consolePage, { dir: empty })
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/console/' })).statusCode, 404)
  t.match(logs.join(''), /the console page is not built/)
})
