// Runs a package's tap test files, each in a node process of its own, `jobs` at a time, and
// prints them as tap's runner does with `--reporter=tap`: each file's output as a subtest, then
// `ok N - file # time=…`.
//
// Why not tap's runner: it starts every test file with a module hook of its own
// (@tapjs/processinfo, for coverage, which we do not collect) and source maps. Loading the api's
// test helper and tap took 2.3 CPU-s in plain node and 4.8 CPU-s the way tap's runner starts
// it: ~2.5 CPU-s in each of ~300 processes per run. A tap test file is a program that prints
// TAP, and its root test reports its own counts and enforces its own timeout (TAP_TIMEOUT); what
// is left to a runner is the jobs, a hard stop for a hung process and the tally.
import { spawn } from 'node:child_process'

const indent = (text) => text.split('\n').map((line) => (line === '' ? line : `    ${line}`)).join('\n')

/** The counts a tap root test prints last when it completes: `# { total: 3, pass: 2, fail: 1 }`. */
function rootCounts (output) {
  const line = output.match(/^# \{ total: \d+[^}]*\}$/gm)?.pop()
  if (line === undefined) return undefined
  const count = (key) => Number(line.match(new RegExp(`\\b${key}: (\\d+)`))?.[1] ?? 0)
  return { total: count('total'), pass: count('pass'), fail: count('fail') }
}

function runFile ({ cwd, file, nodeArgs, env, timeoutSeconds, graceSeconds }) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(process.execPath, [...nodeArgs, file], {
      cwd,
      env: { ...env, TAP_TIMEOUT: String(timeoutSeconds) },
      // What a test prints on stderr goes straight through, as under tap's runner.
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let output = ''
    child.stdout.on('data', (chunk) => { output += chunk })
    // The root test fails itself at TAP_TIMEOUT; this is for a process that does not end then
    // (tap's own runner gives a timed-out test file ~10 s more).
    let killed = false
    const hardStop = setTimeout(() => { killed = true; child.kill('SIGKILL') }, (timeoutSeconds + graceSeconds) * 1000)
    child.on('close', (code, signal) => {
      clearTimeout(hardStop)
      resolve({ file, output, code, signal, killed, ms: Date.now() - started })
    })
  })
}

/**
 * The failing assertions in a file's TAP output, innermost names joined to their subtests':
 * `a subtest > its failing assertion`. What a run's last lines name (CI keeps only the tail).
 * Lines of a YAML diagnostic block (a diff may quote TAP) and indents that are no TAP level are
 * not read, TODO and SKIP failures are not counted (as tap does not), and it never throws: a
 * report it cannot read names less, it does not lose the run's summary.
 */
export function failingAssertions (output) {
  const names = []
  const path = []
  let yamlIndent
  for (const line of output.split('\n')) {
    const indent = line.length - line.trimStart().length
    if (yamlIndent !== undefined) {
      if (line.trimEnd() === `${' '.repeat(yamlIndent)}...`) yamlIndent = undefined
      continue
    }
    if (/^ *---$/.test(line.trimEnd())) {
      yamlIndent = indent
      continue
    }
    if (indent % 4 !== 0) continue
    const depth = indent / 4
    const subtest = line.match(/^ *# Subtest: (.*)$/)
    if (subtest !== null) {
      path.length = Math.min(path.length, depth)
      path[depth] = subtest[1]
      continue
    }
    const failing = line.match(/^ *not ok \d+ - (.*?)(?: # time=[\d.]+ms)?$/)
    if (failing === null || / # (?:TODO|SKIP)\b/i.test(failing[1])) continue
    const name = [...path.slice(0, depth), failing[1].replace(/\\#/g, '#')].join(' > ')
    // A subtest that failed because an assertion in it did is named by that assertion already.
    if (!names.some((known) => known.startsWith(`${name} > `))) names.push(name)
  }
  return names
}

/**
 * Runs `files` (paths relative to `cwd`) and writes the report with `write`. Returns the
 * assertions passed and failed, and each failed file with its failing assertions; a file that
 * fails without a failing assertion (a crash, a timeout, an exit code) counts as one failure. A process still running `graceSeconds` after
 * `timeoutSeconds` is killed.
 */
export async function runTestFiles ({ cwd, files, jobs, timeoutSeconds, graceSeconds = 20, nodeArgs = [], env = process.env, write }) {
  let passed = 0
  let failed = 0
  let reported = 0
  const failures = []
  const queue = [...files]
  const worker = async () => {
    while (queue.length > 0) {
      const file = queue.shift()
      const result = await runFile({ cwd, file, nodeArgs, env, timeoutSeconds, graceSeconds })
      const counts = rootCounts(result.output)
      const ok = result.code === 0 && counts !== undefined && counts.fail === 0
      passed += counts?.pass ?? 0
      failed += counts?.fail ?? 0
      if (!ok && (counts?.fail ?? 0) === 0) failed++
      if (!ok) failures.push({ file, assertions: failingAssertions(result.output), ...(result.killed ? { killed: true } : {}) })
      const why = result.killed ? ' # killed: no end within the timeout' : result.signal !== null ? ` # ended by ${result.signal}` : ''
      reported++
      write(`# Subtest: ${file}\n${indent(result.output.trimEnd())}\n` +
        `${ok ? 'ok' : 'not ok'} ${reported} - ${file} # time=${result.ms}ms${why}\n\n`)
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, worker))
  write(`1..${reported}\n# { total: ${passed + failed}, pass: ${passed}, fail: ${failed} }\n`)
  return { passed, failed, failures }
}
