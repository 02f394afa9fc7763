// The commit a run measured, written into its results: read from a repository of the test's own.
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { sourceLabel, sourceVersion } from '../src/source-version.js'

const git = (cwd: string, ...args: string[]) => {
  const result = spawnSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], { cwd, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
  return result.stdout.trim()
}

t.test('the commit, and whether anything but results and screenshots changed beside it', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'beacon-bench-source-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  git(root, 'init', '-q')
  await writeFile(join(root, 'a.txt'), 'one\n')
  git(root, 'add', '.')
  git(root, 'commit', '-q', '-m', 'first')
  const head = git(root, 'rev-parse', 'HEAD')
  t.same(sourceVersion(root), { commit: head, uncommitted: false })
  t.equal(sourceLabel(sourceVersion(root)), `on commit ${head.slice(0, 7)}`)

  await mkdir(join(root, 'bench', 'results'), { recursive: true })
  await writeFile(join(root, 'bench', 'results', 'latest.md'), 'a run\n')
  await mkdir(join(root, 'docs', 'console'), { recursive: true })
  await writeFile(join(root, 'docs', 'console', 'system.png'), 'pixels')
  t.equal(sourceVersion(root).uncommitted, false, "a run's own results and the suite's screenshots are not changes")

  await writeFile(join(root, 'a.txt'), 'two\n')
  t.same(sourceVersion(root), { commit: head, uncommitted: true })
  t.match(sourceLabel(sourceVersion(root)), /\(uncommitted changes beside it\)$/)
})

t.test('outside a repository: unknown, not a guess', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'beacon-bench-nogit-'))
  t.teardown(() => rm(root, { recursive: true, force: true }))
  t.same(sourceVersion(root), { commit: null, uncommitted: null })
  t.equal(sourceLabel(sourceVersion(root)), 'on an unknown commit')
})
