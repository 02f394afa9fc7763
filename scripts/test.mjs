// The whole test suite, as CI runs it: type-check every package, run each package's tap suite
// against the PostgreSQL and NATS of this machine under a run id of its own, clean up what the
// run created, and end with one line `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ensureInstalled, root } from './tooling.mjs'

ensureInstalled()

const runId = `r${Date.now().toString(36)}${randomBytes(2).toString('hex')}`
const env = { ...process.env, BEACON_TEST_RUN: runId }
const tapBin = join(root, 'node_modules', '.bin', 'tap')
const only = process.argv.slice(2)

const inGroup = (group) => readdirSync(join(root, group)).map((name) => join(group, name))
// The benchmark suite's own smoke tests run before the end-to-end files.
const packages = [...inGroup('packages'), ...inGroup('services'), 'bench', ...inGroup('tests')]
  .filter((dir) => existsSync(join(root, dir, 'test')))
  .filter((dir) => only.length === 0 || only.some((name) => dir.endsWith(name)))

let passed = 0
let failed = 0
let broken = false

// How long each step took, printed before the last line: where the run's time goes.
const timings = []
const timed = async (name, step) => {
  const started = Date.now()
  try { return await step() } finally { timings.push([name, Date.now() - started]) }
}

// Type errors and lint errors fail the run like a failing test (tsx runs the tests without
// type-checking, so nothing else would catch them). Each gate is one process over the whole
// workspace (the root tsconfig.json and eslint.config.js): per package, tsc checked every
// dependency's sources again and eslint loaded its plugins again, ~4x the time.
const gates = [
  ['typecheck', join(root, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', 'tsconfig.json']],
  // The bench's Fastify servers are plain ones: in the workspace's program the api's additions
  // to Fastify's types (app.db, app.closing, …) would type-check code that uses them there.
  ['typecheck bench', join(root, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', 'bench/tsconfig.json']],
  ['lint', join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), ['.']]
]
for (const [gate, bin, args] of gates) {
  console.log(`# ${gate}`)
  const result = await timed(gate, () => spawnSync(process.execPath, [bin, ...args], { stdio: 'inherit', cwd: root }))
  if (result.status === 0) passed++
  else { failed++; broken = true }
}

// Every guarantee README.md makes (`<!-- guarantee: id -->`) is held by a test that names it
// (`// guarantee: id` above the test): the script lists them and fails on one without a test.
console.log('# guarantees')
const guarantees = spawnSync(process.execPath, ['--import=tsx', '--conditions=beacon-source', join(root, 'packages', 'testkit', 'scripts', 'check-guarantees.ts'), root], { cwd: join(root, 'packages', 'testkit'), stdio: 'inherit' })
if (guarantees.status === 0) passed++
else { failed++; broken = true }

function runTap (dir) {
  return new Promise((resolve) => {
    // Most test files wait on PostgreSQL and NATS more than they compute: four at a time keeps two
    // cores busy. The end-to-end files run whole process trees each, and their timing assertions
    // (a dispatcher killed mid-send) want the machine to themselves: one at a time. The fault
    // cases are independent (private servers, their own database and streams) and measure their
    // bounds at the moment of the fault, so two at a time only makes them slower, not different.
    const jobs = dir === 'tests/e2e' ? 1 : dir === 'tests/chaos' ? 2 : 4
    const child = spawn(tapBin, ['--reporter=tap', `--jobs=${jobs}`], { cwd: join(root, dir), env, stdio: ['ignore', 'pipe', 'inherit'] })
    let tail = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      tail = (tail + chunk.toString()).slice(-4096)
    })
    child.on('close', (code) => resolve({ code, tail }))
  })
}

for (const dir of packages) {
  console.log(`# ${dir}`)
  const { code, tail } = await timed(dir, () => runTap(dir))
  const summary = tail.match(/# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/g)?.pop()
  const count = (key) => Number(summary?.match(new RegExp(`${key}: (\\d+)`))?.[1] ?? 0)
  passed += count('pass')
  failed += count('fail')
  if (code !== 0) {
    broken = true
    if (count('fail') === 0) failed++ // the suite failed without a failing test: count it
  }
}

// Test databases left by crashed tests, and this run's template, go too.
const cleanup = spawnSync(process.execPath, ['--import=tsx', '--conditions=beacon-source', join(root, 'packages', 'testkit', 'scripts', 'cleanup.ts')], { cwd: join(root, 'packages', 'testkit'), env, stdio: 'inherit' })
if (cleanup.status !== 0) console.error('# cleanup of test databases failed')

for (const [name, ms] of timings) console.log(`# time ${String(Math.round(ms / 1000)).padStart(4)} s  ${name}`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(broken || failed > 0 ? 1 : 0)
