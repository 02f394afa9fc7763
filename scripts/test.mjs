// The whole test suite, as CI runs it: type-check every package, run each package's tap suite
// against the PostgreSQL and NATS of this machine under a run id of its own, clean up what the
// run created, and end with one line `N passed, N failed`.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ensureChromium, ensureConsoleBuilt, ensureInstalled, root } from './tooling.mjs'
import { failingAssertions, runTestFiles } from './test-files.mjs'

// On a fresh clone nothing is installed yet: modules that use installed packages (esbuild in
// transpile.mjs) load only after this. A static import of one failed CI before any step ran.
ensureInstalled()
// The browser tests (tests/console) load the console's page as the api serves it, in Chromium.
ensureConsoleBuilt()
// Only for a run that includes the browser suite: it may install a system package (apt).
if (process.argv.slice(2).length === 0 || process.argv.slice(2).some((name) => 'tests/console'.endsWith(name))) ensureChromium()
const { mirrorName, transpilePackages } = await import('./transpile.mjs')

const runId = `r${Date.now().toString(36)}${randomBytes(2).toString('hex')}`
const env = { ...process.env, BEACON_TEST_RUN: runId }
const tapBin = join(root, 'node_modules', '.bin', 'tap')
const only = process.argv.slice(2)

const inGroup = (group) => readdirSync(join(root, group)).map((name) => join(group, name))
// The benchmark suite's own smoke tests run before the end-to-end files. `scripts` holds the
// tests of these root scripts (JavaScript already).
const allPackages = ['scripts', ...inGroup('packages'), ...inGroup('services'), 'bench', ...inGroup('tests')]
  .filter((dir) => existsSync(join(root, dir, 'test')))
const packages = allPackages.filter((dir) => only.length === 0 || only.some((name) => dir.endsWith(name)))

let passed = 0
let failed = 0
let broken = false
// What failed, named again after the timings: CI shows a run's last lines only.
const failures = []

// How long each step took, printed before the last line: where the run's time goes.
const timings = []
const timed = async (name, step) => {
  const started = Date.now()
  try { return await step() } finally { timings.push([name, Date.now() - started]) }
}

// The tests run from JavaScript transpiled beside the sources, with plain node and no module hook
// (scripts/transpile.mjs, scripts/test-files.mjs): through tsx and tap's runner, starting a test
// file's process took ~6.3 CPU-s, against ~2.3 this way, in ~300 processes per run. The bench's
// own tests keep tsx and tap's runner: they start tsx children anyway.
const runsTranspiled = (dir) => dir !== 'bench' && dir !== 'scripts'
const transpiled = packages.filter(runsTranspiled)
// It runs beside the gates below; the tests wait for it. Every package, even for a run of one:
// a test imports the other packages' transpiled JavaScript (`services/api` alone failed every
// file on @beacon/db's missing .js-src).
const transpiling = timed('transpile', () => transpilePackages(root, allPackages.filter(runsTranspiled).map((dir) => join(root, dir))))

// Type errors and lint errors fail the run like a failing test (the tests run transpiled, without
// type-checking, so nothing else would catch them). Each gate is one process over the whole
// workspace (the root tsconfig.json and eslint.config.js): per package, tsc checked every
// dependency's sources again and eslint loaded its plugins again, ~4x the time.
const gates = [
  ['typecheck', join(root, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', 'tsconfig.json']],
  // The bench's Fastify servers are plain ones: in the workspace's program the api's additions
  // to Fastify's types (app.db, app.closing, …) would type-check code that uses them there.
  ['typecheck bench', join(root, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', 'bench/tsconfig.json']],
  // The console's page is a browser program (DOM, JSX): a program of its own too. After the
  // bench's, in its slot: a fourth process beside the three took the gates from 41 s to 59 s.
  ['typecheck console', join(root, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', 'packages/console/app/tsconfig.json'], 'typecheck bench'],
  ['lint', join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), ['.']]
]
// tsc and eslint each use one core: the gates run side by side, each printing when it is done
// (two tsc programs side by side took 50 s here, one after the other 61 s).
const gateRun = (bin, args) => new Promise((resolve) => {
  const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => { output += chunk })
  child.stderr.on('data', (chunk) => { output += chunk })
  child.on('close', (code) => resolve({ code, output }))
})
// A gate that names another runs once that one is done.
const gateDone = new Map()
await Promise.all(gates.map(async ([gate, bin, args, after]) => {
  let finish
  gateDone.set(gate, new Promise((resolve) => { finish = resolve }))
  if (after !== undefined) await gateDone.get(after)
  const { code, output } = await timed(gate, () => gateRun(bin, args)).finally(finish)
  process.stdout.write(`# ${gate}\n${output}`)
  if (code === 0) passed++
  else { failed++; broken = true; failures.push(gate) }
}))

// Every guarantee README.md makes (`<!-- guarantee: id -->`) is held by a test that names it
// (`// guarantee: id` above the test): the script lists them and fails on one without a test.
console.log('# guarantees')
const guarantees = spawnSync(process.execPath, ['--import=tsx', '--conditions=beacon-source', join(root, 'packages', 'testkit', 'scripts', 'check-guarantees.ts'), root], { cwd: join(root, 'packages', 'testkit'), stdio: 'inherit' })
if (guarantees.status === 0) passed++
else { failed++; broken = true; failures.push('guarantees') }

// A package's test files (what its tap `include` finds: test/**/*.test.ts) as transpiled, relative to it.
function transpiledTests (dir) {
  const tests = join(root, dir, mirrorName('test'))
  return readdirSync(tests, { recursive: true })
    .filter((file) => file.endsWith('.test.js'))
    .map((file) => relative(join(root, dir), join(tests, file)))
    .sort()
}

// Most test files wait on PostgreSQL and NATS more than they compute: four at a time keeps two
// cores busy. The end-to-end files run whole process trees each: one at a time (beside the fault
// cases, below; three runs side by side passed whole, each file at most 39 s against its 300 s
// timeout). The fault cases are independent (private servers, their own database and streams)
// and measure their bounds at the moment of the fault, so two at a time only makes them slower,
// not different.
// The browser files (tests/console) each run a pipeline and Chromium: one at a time.
const jobsOf = (dir) => dir === 'tests/e2e' || dir === 'tests/console' ? 1 : dir === 'tests/chaos' ? 2 : 4

function runTap (dir) {
  return new Promise((resolve) => {
    const child = spawn(tapBin, ['--reporter=tap', `--jobs=${jobsOf(dir)}`], { cwd: join(root, dir), env, stdio: ['ignore', 'pipe', 'inherit'] })
    let tail = ''
    let output = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      output += chunk
      tail = (tail + chunk.toString()).slice(-4096)
    })
    child.on('close', (code) => {
      const summary = tail.match(/# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/g)?.pop()
      const count = (key) => Number(summary?.match(new RegExp(`${key}: (\\d+)`))?.[1] ?? 0)
      // The suite failed without a failing test: count it.
      const failed = count('fail') + (code !== 0 && count('fail') === 0 ? 1 : 0)
      resolve({ passed: count('pass'), failed, failures: failed > 0 ? [{ file: '', assertions: failingAssertions(output) }] : [] })
    })
  })
}

function runTranspiled (dir, write = (text) => process.stdout.write(text)) {
  const { tap } = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'))
  return runTestFiles({
    cwd: join(root, dir),
    files: transpiledTests(dir),
    jobs: jobsOf(dir),
    timeoutSeconds: tap?.timeout ?? 30,
    // Our packages resolve to their transpiled JavaScript. Liftoff only: V8 otherwise compiles
    // Prisma's query compiler (WebAssembly) with its optimizing tier too, in every test process
    // and for every client: an api test file took 5.6 CPU-s with the flag against 7.8 without
    // (services started by the tests run as in production, without it).
    nodeArgs: ['--conditions=beacon-js', '--liftoff-only'],
    env,
    write
  })
}

function runScriptTests () {
  const files = readdirSync(join(root, 'scripts', 'test')).filter((file) => file.endsWith('.test.mjs')).map((file) => join('test', file))
  return runTestFiles({ cwd: join(root, 'scripts'), files, jobs: 2, timeoutSeconds: 60, env, write: (text) => process.stdout.write(text) })
}

await transpiling
// The browser suite (~85 s alone) starts with the first package group and runs beside the short
// groups and the api's, whose files mostly wait on PostgreSQL and NATS: started with the api's it
// made that group ~60 s longer. The end-to-end files (one at a time, the cores ~47% idle) run
// beside the fault cases (two at a time, 15-26% idle): neither uses the other's servers (the
// fault cases start private ones), and the ports their children listen on are reserved across
// test processes (the test kit's freePort: unreserved, a fault case's api once lost its port to
// another process's check). The two took 131-155 s together, against 201 s one after the other
// (92 + 109) on the same machine. A report is printed when its run is done, after the others.
const BESIDE = { 'tests/console': 'scripts', 'tests/e2e': 'tests/chaos' }
const besideRuns = []
const tally = (dir, result) => {
  passed += result.passed
  failed += result.failed
  if (result.failed > 0) broken = true
  for (const { file, assertions, killed } of result.failures) {
    const where = join(dir, file)
    if (assertions.length === 0) failures.push(`${where}${killed === true ? ': killed at its timeout' : ': no failing assertion (a crash or an exit code)'}`)
    for (const assertion of assertions.slice(0, 5)) failures.push(`${where}: ${assertion}`)
    if (assertions.length > 5) failures.push(`${where}: and ${assertions.length - 5} more`)
  }
}
for (const dir of packages) {
  if (Object.keys(BESIDE).includes(dir) && packages.includes(BESIDE[dir])) continue
  for (const [aside, host] of Object.entries(BESIDE)) {
    if (host !== dir || !packages.includes(aside)) continue
    let report = ''
    besideRuns.push(timed(`${aside} (beside the groups from ${host} on)`, () => runTranspiled(aside, (text) => { report += text }))
      .then((result) => ({ aside, host, result, report: () => report })))
  }
  console.log(`# ${dir}`)
  tally(dir, await timed(dir, () => dir === 'scripts' ? runScriptTests() : transpiled.includes(dir) ? runTranspiled(dir) : runTap(dir)))
}
for (const run of await Promise.all(besideRuns)) {
  console.log(`# ${run.aside} (ran beside the groups from ${run.host} on)`)
  process.stdout.write(run.report())
  tally(run.aside, run.result)
}

// Test databases left by crashed tests, and this run's template, go too.
const cleanup = spawnSync(process.execPath, ['--import=tsx', '--conditions=beacon-source', join(root, 'packages', 'testkit', 'scripts', 'cleanup.ts')], { cwd: join(root, 'packages', 'testkit'), env, stdio: 'inherit' })
if (cleanup.status !== 0) console.error('# cleanup of test databases failed')

for (const [name, ms] of timings) console.log(`# time ${String(Math.round(ms / 1000)).padStart(4)} s  ${name}`)
for (const failure of failures) console.log(`# failed: ${failure}`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(broken || failed > 0 ? 1 : 0)
