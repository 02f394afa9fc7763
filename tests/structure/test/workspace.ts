import { readdirSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root, three folders above this file. */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

// Installed, built or generated trees, and the git directory: nobody writes files there by hand.
const notOurs = new Set(['node_modules', 'dist', '.git', '.beacon', 'generated', '.tap', 'coverage', '.js-src', '.js-test', '.js-scripts', '.js-vendor'])

/** Every folder of the working tree we write ourselves, with the names of the files directly in it. */
export function * folders (root = repositoryRoot): Generator<{ path: string, files: string[] }> {
  const pending = [root]
  while (pending.length > 0) {
    const folder = pending.pop() as string
    const entries = readdirSync(folder, { withFileTypes: true })
    yield { path: relative(root, folder) || '.', files: entries.filter((entry) => entry.isFile()).map((entry) => entry.name) }
    for (const entry of entries) {
      if (entry.isDirectory() && !notOurs.has(entry.name)) pending.push(join(folder, entry.name))
    }
  }
}

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
