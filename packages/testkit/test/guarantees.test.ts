import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { checkGuarantees, findReferences, readGuarantees, readReferences } from '../src/guarantees.js'

const README = [
  '# Example',
  '',
  'Beacon answers. A message is sent once, even when',
  'the api dies. <!-- guarantee: sent-once -->',
  '',
  '- Callbacks are signed. <!-- guarantee: signed-callbacks -->',
  '| `X` | `1` | Cap of the delay <!-- guarantee: delay-cap --> |',
  ''
].join('\n')

t.test('README markers are read with the sentence they follow', async (t) => {
  t.strictSame(readGuarantees(README), [
    { id: 'sent-once', line: 4, sentence: 'A message is sent once, even when the api dies.' },
    { id: 'signed-callbacks', line: 6, sentence: 'Callbacks are signed.' },
    { id: 'delay-cap', line: 7, sentence: '`X` | `1` | Cap of the delay' }
  ])
  t.strictSame(readGuarantees('`<!-- guarantee: <id> -->` documents the syntax'), [], 'an id must be lowercase words joined by hyphens')
  t.strictSame(readGuarantees('```html\nA <!-- guarantee: in-an-example -->\n```\nB. <!-- guarantee: after-it -->').map((g) => g.id), ['after-it'], 'code blocks are examples, not promises')
})

t.test('a reference above a test that does not run, or in a comment or a string, counts for nothing', async (t) => {
  const source = [
    '// guarantee: skipped',
    "t.test('skipped', { skip: true }, async () => {})",
    '// guarantee: todo',
    "t.test('todo', { todo: 'later' }, async () => {})",
    '// guarantee: no-function',
    "t.test('no function')",
    '/*',
    '// guarantee: commented-out',
    "t.test('commented out', async () => {})",
    '*/',
    'const text = `',
    '// guarantee: in-a-string',
    "t.test('in a string', async () => {})`",
    '// guarantee: a-regex',
    "/x/.test('abc')",
    '// guarantee: runs',
    "t.test('runs', { skip: false, timeout: 5 }, async () => {})"
  ].join('\n')
  t.strictSame(readReferences('f.test.ts', source).map((r) => `${r.id}:${r.precedesTest}`), [
    'skipped:false', 'todo:false', 'no-function:false', 'commented-out:false', 'in-a-string:false', 'a-regex:false', 'runs:true'
  ])
})

t.test('a reference counts only when a test call follows it (comments and blank lines between are fine)', async (t) => {
  const source = [
    '// guarantee: sent-once, delay-cap',
    "t.test('a', async () => {})",
    '  // guarantee: signed-callbacks',
    '  // more words',
    '',
    "  await t.test('b', async () => {})",
    '// guarantee: sent-once',
    'const x = 1'
  ].join('\n')
  t.strictSame(readReferences('f.test.ts', source), [
    { id: 'sent-once', file: 'f.test.ts', line: 1, precedesTest: true },
    { id: 'delay-cap', file: 'f.test.ts', line: 1, precedesTest: true },
    { id: 'signed-callbacks', file: 'f.test.ts', line: 3, precedesTest: true },
    { id: 'sent-once', file: 'f.test.ts', line: 7, precedesTest: false }
  ])
})

t.test('the check names unheld, repeated, unknown and misplaced guarantees', async (t) => {
  const guarantees = [...readGuarantees(README), { id: 'sent-once', line: 9, sentence: 'again' }]
  const check = checkGuarantees(guarantees, [
    ...readReferences('a.test.ts', "// guarantee: sent-once\nt.test('x', f)"),
    ...readReferences('b.test.ts', "// guarantee: no-such\nt.test('y', f)\n// guarantee: delay-cap\nconst z = 1")
  ])
  t.strictSame(check.unheld.map((g) => g.id), ['signed-callbacks', 'delay-cap'])
  t.strictSame(check.repeated.map((g) => `${g.id}:${g.line}`), ['sent-once:9'])
  t.strictSame(check.unknown.map((r) => `${r.file}:${r.id}`), ['b.test.ts:no-such'])
  t.strictSame(check.misplaced.map((r) => `${r.file}:${r.line}`), ['b.test.ts:3'])
  t.strictSame(check.guarantees[0]!.heldBy.map((r) => r.file), ['a.test.ts'])
})

t.test('the root scripts\' tests (scripts/test) hold guarantees as the packages\' do', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'guarantees-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await mkdir(join(root, 'scripts', 'test'), { recursive: true })
  await writeFile(join(root, 'scripts', 'test', 'setup.test.mjs'), "// guarantee: set-up\nt.test('sets up', f)\n")
  t.strictSame((await findReferences(root)).map((r) => `${r.file}:${r.id}`), ['scripts/test/setup.test.mjs:set-up'])
})

t.test('the script over a workspace: exit 1 and the reason while a guarantee has no test, 0 once one holds it', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'guarantees-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  await writeFile(join(root, 'README.md'), 'It works. <!-- guarantee: it-works -->\nIt is fast. <!-- guarantee: it-is-fast -->\n')
  await mkdir(join(root, 'services', 'api', 'test', 'deep'), { recursive: true })
  await writeFile(join(root, 'services', 'api', 'test', 'deep', 'works.test.ts'), "// guarantee: it-works\nt.test('works', f)\n")
  await writeFile(join(root, 'services', 'api', 'test', 'deep', 'fixtures.ts'), "// guarantee: it-is-fast\nt.test('not a test file', f)\n")
  const script = join(import.meta.dirname, '..', 'scripts', 'check-guarantees.ts')
  const run = () => spawnSync(process.execPath, ['--import=tsx', script, root], { encoding: 'utf8' })

  t.strictSame((await findReferences(root)).map((r) => r.file), ['services/api/test/deep/works.test.ts'])
  const failing = run()
  t.equal(failing.status, 1)
  t.match(failing.stderr, 'README.md:2: guarantee "it-is-fast" is held by no test')
  t.match(failing.stdout, '# held  it-works (README.md:1) It works.\n#     services/api/test/deep/works.test.ts:1')

  await mkdir(join(root, 'tests', 'e2e', 'test'), { recursive: true })
  await writeFile(join(root, 'tests', 'e2e', 'test', 'fast.test.ts'), "t.test('fast', async (t) => {\n  // guarantee: it-is-fast\n  await t.test('inner', f)\n})\n")
  const passing = run()
  t.equal(passing.status, 0, passing.stderr)
  t.match(passing.stdout, '# 2 guarantees, 2 held by tests, 0 problem(s)')
})

t.test('the whole report reaches a reader slower than the script', async (t) => {
  // Over 64 KB (a pipe's buffer) of report, read only after a pause, as `| tail -1` on a busy
  // machine may: the end of it waits in the script until the reader takes it. The pause only makes
  // a script that exits before its output is written lose it; it decides nothing else.
  const root = await mkdtemp(join(tmpdir(), 'guarantees-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  const ids = Array.from({ length: 800 }, (_, i) => `promise-${i}`)
  await writeFile(join(root, 'README.md'), ids.map((id) => `A sentence long enough to fill the report. <!-- guarantee: ${id} -->\n\n`).join(''))
  await mkdir(join(root, 'services', 'api', 'test'), { recursive: true })
  await writeFile(join(root, 'services', 'api', 'test', 'all.test.ts'), ids.map((id) => `// guarantee: ${id}\nt.test('${id}', f)\n`).join(''))
  const script = join(import.meta.dirname, '..', 'scripts', 'check-guarantees.ts')
  const slow = spawnSync('sh', ['-c', '{ "$0" --import=tsx "$1" "$2"; echo "exit $?" >&2; } | { sleep 3; cat; }', process.execPath, script, root], { encoding: 'utf8', maxBuffer: 1 << 24 })
  t.ok(slow.stdout.length > 65_536, `a report larger than a pipe's buffer (${slow.stdout.length} bytes)`)
  t.match(slow.stderr, /^exit 0$/m)
  t.match(slow.stdout, /# 800 guarantees, 800 held by tests, 0 problem\(s\)\n$/, 'its last line there')
})
