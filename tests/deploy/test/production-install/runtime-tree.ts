// What the runtime stage copies, read back from disk: the packages in its node_modules (pnpm's
// layout: node_modules/.pnpm/<id>/node_modules/<name> is the package, its dependencies are links
// beside it) and the bytes it takes.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export interface InstalledPackage {
  name: string
  version: string
  /** Its folder in the runtime tree. */
  dir: string
  dependencies: string[]
  /** Its optionalDependencies that the install left out (no link beside it). */
  optionalSkipped: string[]
  /**
   * Its required dependencies with no link beside it: it would find them only through pnpm's
   * hoisting, which breaks as soon as another version of the same package is in the tree.
   */
  unlinked: string[]
}

/** The package folders directly in a node_modules folder (`@scope/name` one level deeper). */
function packageNames (nodeModules: string): string[] {
  return readdirSync(nodeModules).filter((name) => !name.startsWith('.')).flatMap((name) => name.startsWith('@')
    ? readdirSync(join(nodeModules, name)).map((inner) => `${name}/${inner}`)
    : [name])
}

export function installedPackages (runtimeDir: string): InstalledPackage[] {
  const store = join(runtimeDir, 'node_modules', '.pnpm')
  const installed: InstalledPackage[] = []
  for (const id of readdirSync(store)) {
    const nodeModules = join(store, id, 'node_modules')
    if (!existsSync(nodeModules)) continue
    // The one real folder is the package; the others are links to its dependencies.
    for (const name of packageNames(nodeModules).filter((name) => !lstatSync(join(nodeModules, name)).isSymbolicLink())) {
      const manifest = JSON.parse(readFileSync(join(nodeModules, name, 'package.json'), 'utf8')) as {
        version: string, dependencies?: Record<string, string>, optionalDependencies?: Record<string, string>
      }
      installed.push({
        name,
        version: manifest.version,
        dir: join(nodeModules, name),
        dependencies: Object.keys(manifest.dependencies ?? {}),
        optionalSkipped: Object.keys(manifest.optionalDependencies ?? {}).filter((optional) => !existsSync(join(nodeModules, optional))),
        unlinked: Object.keys(manifest.dependencies ?? {})
          .filter((name) => manifest.optionalDependencies?.[name] === undefined && !existsSync(join(nodeModules, name)))
      })
    }
  }
  return installed
}

/** The bytes of every file under `dir` (links not followed): what the image layer holds. */
export function bytesUnder (dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += lstatSync(join(entry.parentPath, entry.name)).size
  }
  return total
}
