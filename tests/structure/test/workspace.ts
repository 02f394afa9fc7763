import { execFileSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, three folders above this file. */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

// Installed, built or generated trees, and the git directory: nobody writes files there by hand.
const notOurs = new Set(['node_modules', 'dist', '.git', '.beacon', 'generated', '.tap', 'coverage', '.js-src', '.js-test', '.js-scripts', '.js-vendor'])

/**
 * The files of `root` git tracks or would track (ignored ones left out: a profiler's logs or a
 * build's output in a checkout are nobody's parts), or null outside a git work tree.
 */
function ownFiles (root: string): Set<string> | null {
  try {
    const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] })
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    if (relative(top, root) !== '') return null
    return new Set(listed.split('\0').filter((path) => path !== ''))
  } catch {
    return null
  }
}

/** Every folder of the working tree we write ourselves, with the names of the files directly in it. */
export function * folders (root = repositoryRoot): Generator<{ path: string, files: string[] }> {
  const own = ownFiles(root)
  const pending = [root]
  while (pending.length > 0) {
    const folder = pending.pop() as string
    const entries = readdirSync(folder, { withFileTypes: true })
    const path = relative(root, folder)
    const files = entries.filter((entry) => entry.isFile() && (own === null || own.has(path === '' ? entry.name : `${path}/${entry.name}`)))
    yield { path: path || '.', files: files.map((entry) => entry.name) }
    for (const entry of entries) {
      if (entry.isDirectory() && !notOurs.has(entry.name)) pending.push(join(folder, entry.name))
    }
  }
}

/** The folders of production code: the services' and the shared packages' sources (not the test kit, the bench or tests). */
export const production = ['services/api/src', 'services/dispatcher/src', 'services/standalone/src',
  ...['backoff', 'config', 'contracts', 'db', 'metrics', 'outbound', 'signing', 'transport'].map((name) => `packages/${name}/src`)]

/** The TypeScript files under a folder, as paths relative to the repository root. */
export function sourceFiles (folder: string): string[] {
  const found: string[] = []
  for (const { path, files } of folders(join(repositoryRoot, folder))) {
    for (const file of files) if (/\.(ts|mts|cts)$/.test(file)) found.push(join(folder, path, file))
  }
  return found
}

/** The module specifiers a source text imports or re-exports, statically or dynamically. */
export function importedSpecifiers (source: string): string[] {
  const specifiers: string[] = []
  const patterns = [/\bfrom\s+['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s+['"]([^'"]+)['"]/gm]
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) specifiers.push(match[1] as string)
  return specifiers
}
