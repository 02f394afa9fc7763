// The image's runtime stage holds production dependencies only, and they are enough: the
// Dockerfile's own production-install RUN, run outside Docker (none here) in a copy of the build
// context, offline from the local pnpm store; then what the runtime stage would copy is checked
// package by package and started with the image's command, the migrations applied first.
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createOutdatedTestDatabase, freePort, natsTestPrefix, testNatsUrl } from '@beacon/testkit'
import type { Env } from 'dockerfile-ast'
import t from 'tap'
import { parse } from 'yaml'
import { instructionsOf, stages } from './dockerfile-stages.js'
import { recreateBuildContext } from './production-install/build-context.js'
import { dockerfilePnpmVersion, installCommand, runProductionInstall, toolsPnpmVersion } from './production-install/install-step.js'
import { startInRuntime } from './production-install/runtime-process.js'
import { bytesUnder, installedPackages } from './production-install/runtime-tree.js'
import { repositoryRoot } from './repository.js'

// Build and development tools: the compiler, the Prisma CLI and what it brings (React, Studio,
// pglite, mysql2), the test runner, the TypeScript loader, the linter.
const BUILD_ONLY = ['typescript', 'prisma', '@prisma/studio-core', 'react', 'react-dom', '@electric-sql/pglite', 'mysql2', 'tap', 'tsx', 'esbuild', 'eslint', 'vite', 'preact', 'uplot']
// The optional dependencies `--no-optional` leaves out, each known to be unused (see the Dockerfile):
// a new one in this list is a decision, not an accident of the install flags.
const OPTIONAL_LEFT_OUT = ['@google-cloud/firestore', '@google-cloud/storage', 'pg-cloudflare']
// Measured 154 MB (190 packages) at this commit; with the optional peers it was 414 MB (420).
const MAX_RUNTIME_MB = 180

// 20-50 s here (the install, 137 MB copied, two services started); room for a slower machine.
t.setTimeout(120_000)
const work = mkdtempSync(join(tmpdir(), 'beacon-production-install-'))
t.teardown(() => rmSync(work, { recursive: true, force: true }))
const [appDir, runtimeDir, shimDir, secretsDir] = ['app', 'runtime', 'bin', 'secrets'].map((name) => join(work, name)) as [string, string, string, string]
for (const dir of [appDir, shimDir, secretsDir]) mkdirSync(dir)

const context = recreateBuildContext(appDir, ['@beacon/api', '@beacon/dispatcher'])
const install = await runProductionInstall(appDir, runtimeDir, shimDir)
const installed = existsSync(join(runtimeDir, 'node_modules', '.pnpm')) ? installedPackages(runtimeDir) : []

// guarantee: image-production-dependencies-only
t.test('the Dockerfile\'s production install runs offline and fills the folder the runtime stage copies', async (t) => {
  t.match(installCommand, /pnpm install/, 'found: the build stage\'s RUN that installs and fills the folder the runtime stage copies')
  t.equal(dockerfilePnpmVersion, toolsPnpmVersion, 'run with the pnpm version the image installs')
  t.equal(install.code, 0, 'the RUN succeeds', { output: install.output.slice(-3000) })
  t.ok(installed.length > 0, `${installed.length} packages in the runtime's node_modules`)
  const workspaceDirs = ['packages', 'services'].flatMap((group) => readdirSync(join(runtimeDir, group)).map((name) => `${group}/${name}`))
  t.same(workspaceDirs.sort(), [...context.built].sort(), 'the built workspace packages, and not the testkit')
  // patches/: nats.js without its RequestError per answered request, and one write per turn.
  const natsCore = installed.find((p) => p.name === '@nats-io/nats-core')
  for (const file of ['request.js', 'protocol.js']) {
    t.ok(natsCore !== undefined && readFileSync(join(natsCore.dir, 'lib', file), 'utf8').includes('Patched (Beacon'), `the runtime's nats.js carries the workspace's patch of ${file}`)
  }
  // patches/: Prisma's debug helpers without their history of every query's values (two copies).
  const patched = (name: string, file: string) => {
    const found = installed.filter((p) => p.name === name)
    return found.length > 0 && found.every((p) => readFileSync(join(p.dir, file), 'utf8').includes('Patched (Beacon'))
  }
  t.ok(patched('@prisma/debug', 'dist/index.mjs') && patched('@prisma/debug', 'dist/index.js'), 'the runtime\'s @prisma/debug carries the workspace\'s patch')
  t.ok(patched('@prisma/client', 'runtime/client.mjs') && patched('@prisma/client', 'runtime/client.js'), 'the runtime\'s @prisma/client carries the workspace\'s patch')
})

t.test('no build or development tool, no @types a runtime package does not depend on', async (t) => {
  const names = new Set(installed.map((p) => p.name))
  t.same(BUILD_ONLY.filter((name) => names.has(name)), [], 'none of the build-only packages')
  const depended = new Set(installed.flatMap((p) => p.dependencies))
  const strayTypes = [...names].filter((name) => name.startsWith('@types/') && !depended.has(name))
  t.same(strayTypes, [], '@types/* only as dependencies of runtime packages (firebase-admin, @prisma/adapter-pg, …)')
  const unexpected = installed.flatMap((p) => p.optionalSkipped.filter((name) => !OPTIONAL_LEFT_OUT.includes(name)).map((name) => `${p.name} -> ${name}`))
  t.same(unexpected, [], 'no optional dependency left out beyond the reviewed ones')
  // ajv-formats lists ajv as a dependency and as an optional peer, so --no-optional leaves the
  // link out and it finds ajv through pnpm's hoisting (pnpm's packageExtensions cannot make that
  // peer required). Hoisting finds the right one while the tree holds a single ajv.
  const unlinked = installed.flatMap((p) => p.unlinked.map((name) => `${p.name} -> ${name}`))
  t.same(unlinked.filter((link) => link !== 'ajv-formats -> ajv'), [], 'every required dependency linked beside its package (none found only by hoisting)')
  t.same(installed.filter((p) => p.name === 'ajv').map((p) => p.version.split('.')[0]), ['8'], 'one ajv, the major ajv-formats 3 needs, so hoisting finds it')
  const megabytes = Math.round(bytesUnder(runtimeDir) / 1e6)
  t.ok(megabytes <= MAX_RUNTIME_MB, `the runtime tree: ${megabytes} MB (at most ${MAX_RUNTIME_MB})`)
})

t.test('from that tree alone: the image\'s command migrates an empty database and serves, the dispatcher runs', async (t) => {
  if (installed.length === 0) return t.fail('nothing to start: the production install left no runtime tree')
  const migrations = readdirSync(join(repositoryRoot, 'prisma', 'migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort()
  // "Outdated" up to the first migration: a database none of them was applied to.
  const database = await createOutdatedTestDatabase(migrations[0]!)
  t.teardown(() => database.drop())
  const secret = (name: string, value: string) => {
    writeFileSync(join(secretsDir, name), `${value}\n`, { mode: 0o600 })
    return join(secretsDir, name)
  }
  const password = randomBytes(12).toString('hex')
  const shared = {
    DATABASE_URL_FILE: secret('database_url', database.url),
    MASTER_KEY_FILE: secret('master_key', randomBytes(32).toString('base64')),
    NATS_URL: testNatsUrl,
    NATS_PREFIX: natsTestPrefix()
  }
  const runtime = stages.at(-1)!
  const imageEnv = Object.fromEntries(instructionsOf(runtime, 'ENV').flatMap((env) => (env as Env).getProperties().map((p) => [p.getName(), p.getValue() ?? ''])))
  const imageCommand = JSON.parse(instructionsOf(runtime, 'CMD').at(-1)!.getArgumentsContent()!) as string[]

  const port = await freePort()
  const api = startInRuntime(runtimeDir, imageCommand, {
    ...imageEnv, ...shared, HOST: '127.0.0.1', PORT: String(port), AUTH_USERNAME: 'admin', AUTH_PASSWORD_FILE: secret('auth_password', password), MAX_EVENT_LOOP_DELAY_MS: '0'
  })
  t.teardown(() => api.stop())
  const url = `http://127.0.0.1:${port}`
  await api.answers(`${url}/readyz`)
  t.match(api.output(), `applied: ${migrations.join(', ')}`, 'the migration runner (no Prisma CLI) applied every migration first')
  t.equal((await fetch(`${url}/docs/static/swagger-ui.css`)).status, 200, 'Swagger UI\'s files are there')
  const consolePage = await fetch(`${url}/console/`)
  t.equal(consolePage.status, 200, 'the web console\'s page is there')
  const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await consolePage.text())?.[1]
  t.equal(script === undefined ? 0 : (await fetch(`${url}${script}`)).status, 200, 'and its bundled script')
  const status = await fetch(`${url}/push/service/status`, { headers: { authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` } })
  t.equal((await status.json() as { responseObject: { buildTime: string } }).responseObject.buildTime, context.buildTime, 'BUILD_TIME from .build-time')

  const compose = parse(readFileSync(join(repositoryRoot, 'docker-compose.yml'), 'utf8')) as { services: { dispatcher: { command: string[] } } }
  const opsPort = await freePort()
  const dispatcher = startInRuntime(runtimeDir, compose.services.dispatcher.command, { ...imageEnv, ...shared, METRICS_PORT: String(opsPort), METRICS_HOST: '127.0.0.1' })
  t.teardown(() => dispatcher.stop())
  await dispatcher.answers(`http://127.0.0.1:${opsPort}/readyz`)
  t.equal(await dispatcher.stop(), 0, 'the dispatcher closes on SIGTERM', { output: dispatcher.output().slice(-2000) })
  t.equal(await api.stop(), 0, 'the api closes on SIGTERM', { output: api.output().slice(-2000) })
})
