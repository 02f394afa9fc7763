import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { folders } from './workspace.js'

// The guide: a folder that grows past ~15 files wants sub-folders, so that the folders show the
// parts. Records that only accumulate (one file per benchmark run) are data, not parts.
const MAX_FILES = 15
const records = new Set(['bench/results'])

const crowdedFolders = (root?: string): string[] => [...folders(root)]
  .filter(({ path, files }) => !records.has(path) && files.length > MAX_FILES)
  .map(({ path, files }) => `${path} (${files.length} files)`)

t.test('no folder we write holds more than 15 files', async (t) => {
  t.same(crowdedFolders(), [], 'split these folders by capability')
})

t.test('the walk finds a crowded folder at any depth, and skips installed packages', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'beacon-structure-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const deep = join(root, 'services', 'x', 'src', 'domain')
  const installed = join(root, 'node_modules', 'dep')
  mkdirSync(deep, { recursive: true })
  mkdirSync(installed, { recursive: true })
  for (let i = 0; i < 16; i++) {
    writeFileSync(join(deep, `file-${i}.ts`), '')
    writeFileSync(join(installed, `file-${i}.js`), '')
  }
  writeFileSync(join(root, 'services', 'x', 'src', 'index.ts'), '')
  t.same(crowdedFolders(root), ['services/x/src/domain (16 files)'])
})

t.test('in a git work tree, files git ignores are not counted; untracked ones are', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'beacon-structure-git-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  execFileSync('git', ['init', '-q'], { cwd: root })
  const folder = join(root, 'services', 'x', 'src')
  mkdirSync(folder, { recursive: true })
  writeFileSync(join(root, '.gitignore'), 'isolate-*-v8.log\n')
  for (let i = 0; i < 15; i++) writeFileSync(join(folder, `file-${i}.ts`), '')
  writeFileSync(join(folder, 'isolate-0x1-7-v8.log'), '')
  writeFileSync(join(folder, 'isolate-0x2-8-v8.log'), '')
  t.same(crowdedFolders(root), [], 'a profiler\'s ignored logs do not crowd a folder')
  writeFileSync(join(folder, 'file-15.ts'), '')
  t.same(crowdedFolders(root), ['services/x/src (16 files)'], 'a new file, not yet added to git, does')
})
