import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { failingAssertions, runTestFiles } from '../test-files.mjs'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'runner')

async function run (files, options = {}) {
  let report = ''
  const env = { ...process.env }
  delete env.TAP_CHILD_ID // as npm test runs it, not under this file's own runner
  const result = await runTestFiles({ cwd: fixtures, files, jobs: 2, timeoutSeconds: 30, env, write: (text) => { report += text }, ...options })
  return { ...result, report }
}

t.test('the assertions of every file are tallied, nested ones included', async (t) => {
  const { passed, failed, report } = await run(['passes.mjs', 'fails-one.mjs'])
  t.equal(passed, 3, 'two in a subtest, one at the top')
  t.equal(failed, 1)
  t.match(report, /^# Subtest: passes\.mjs$/m)
  t.match(report, /^ok \d - passes\.mjs # time=\d+ms$/m)
  t.match(report, /^not ok \d - fails-one\.mjs # time=\d+ms$/m)
  t.match(report, /^ {4}not ok 2 - fails$/m, "the file's own report, indented")
  t.match(report, /^1\.\.2\n# \{ total: 4, pass: 3, fail: 1 \}\n$/m)
})

t.test('a file that fails without a failing assertion counts as one failure', async (t) => {
  const crashed = await run(['throws-first.mjs'])
  t.same([crashed.passed, crashed.failed], [0, 1], 'a crash before any test')
  t.match(crashed.report, /^not ok 1 - throws-first\.mjs/m)

  const exited = await run(['passes-then-exits.mjs'])
  t.same([exited.passed, exited.failed], [1, 1], 'an exit code after passing assertions')
})

t.test("a test that outlasts the package's timeout fails", async (t) => {
  const { passed, failed, report } = await run(['hangs-in-a-test.mjs'], { timeoutSeconds: 1 })
  t.equal(passed, 0)
  t.ok(failed >= 1)
  t.match(report, /^not ok 1 - hangs-in-a-test\.mjs/m)
})

t.test('a process that outlives its timeout is killed', async (t) => {
  const { failed, report } = await run(['never-ends.mjs'], { timeoutSeconds: 1, graceSeconds: 1 })
  t.equal(failed, 1)
  t.match(report, /^not ok 1 - never-ends\.mjs # time=\d+ms # killed: no end within the timeout$/m)
})

t.test('files run in parallel up to the jobs given, and each is reported once', async (t) => {
  const files = ['passes.mjs', 'fails-one.mjs', 'passes.mjs', 'passes.mjs']
  const { passed, failed, report } = await run(files, { jobs: 3 })
  t.same([passed, failed], [7, 1])
  t.same([...report.matchAll(/^(?:not )?ok (\d+) - /gm)].map((match) => match[1]), ['1', '2', '3', '4'])
})

t.test('each failed file is returned with its failing assertions, named under their subtests', async (t) => {
  const { failures } = await run(['passes.mjs', 'fails-nested.mjs', 'throws-first.mjs'])
  t.same(failures.sort((a, b) => a.file.localeCompare(b.file)), [
    { file: 'fails-nested.mjs', assertions: ['a group > a case > the count', 'at the top'] },
    { file: 'throws-first.mjs', assertions: [] }
  ], 'the subtests that failed only through them are not named again; a crash names none')
  t.same(failingAssertions('ok 1 - fine\n'), [])
})

t.test('failure names: YAML diagnostics, odd indents and TODO failures are not read as failures', async (t) => {
  const output = [
    '# Subtest: group',
    '    not ok 1 - compares \\# things',
    '      ---',
    '      diff: |',
    '        --- expected',
    '        +++ actual',
    '        @@ -1,1 +1,1 @@',
    '        -     not ok 7 - quoted TAP',
    '         # Subtest: quoted with an odd indent',
    '      ...',
    '    not ok 2 - later # TODO not yet',
    '  # Subtest: an odd indent outside YAML',
    'not ok 1 - group # time=3ms',
    'not ok 2 - at the top'
  ].join('\n')
  t.same(failingAssertions(output), ['group > compares # things', 'at the top'])
})
