// The build stage's working folder as the production install finds it, recreated in a temporary
// folder: the workspace's manifests, lockfile and patches, prisma/migrations, .build-time, and the dist/
// of the api, the dispatcher and the workspace packages they depend on. dist/ is emitted file by
// file by TypeScript's own emitter (transpileModule): the JavaScript `tsc -p tsconfig.build.json`
// writes (isolatedModules and verbatimModuleSyntax make each file's output independent of the
// others), without the type check, which takes minutes on a busy two-core machine.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import ts from 'typescript'
import { parse } from 'yaml'
import { repositoryRoot } from '../repository.js'

interface Manifest { name: string, dependencies?: Record<string, string> }
const readManifest = (dir: string) => JSON.parse(readFileSync(join(repositoryRoot, dir, 'package.json'), 'utf8')) as Manifest

/** Every workspace project's folder (relative to the root) by package name, from pnpm-workspace.yaml. */
function workspaceProjects (): Map<string, string> {
  const { packages } = parse(readFileSync(join(repositoryRoot, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[] }
  const dirs = packages.flatMap((pattern) => pattern.endsWith('/*')
    ? readdirSync(join(repositoryRoot, pattern.slice(0, -2))).map((name) => join(pattern.slice(0, -2), name))
    : [pattern])
  return new Map(dirs.filter((dir) => existsSync(join(repositoryRoot, dir, 'package.json'))).map((dir) => [readManifest(dir).name, dir]))
}

/** `--filter-prod "NAME..."`: the projects named and the workspace projects they depend on, not dev. */
function productionClosure (projects: Map<string, string>, names: string[]): string[] {
  const seen = new Set<string>()
  const visit = (name: string) => {
    if (seen.has(name)) return
    seen.add(name)
    const dependencies = readManifest(projects.get(name)!).dependencies ?? {}
    for (const [dependency, specifier] of Object.entries(dependencies)) if (specifier.startsWith('workspace:')) visit(dependency)
  }
  names.forEach(visit)
  return [...seen].map((name) => projects.get(name)!)
}

const filesUnder = (dir: string): string[] => readdirSync(dir, { withFileTypes: true, recursive: true })
  .filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name))

/** src/**.ts to dist/**.js as tsc emits them; the JSON files imported beside them copied, as tsc does. */
function emitDist (from: string, to: string): void {
  const compilerOptions = { target: ts.ScriptTarget.ES2023, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true, isolatedModules: true }
  for (const file of filesUnder(join(from, 'src'))) {
    const target = join(to, 'dist', relative(join(from, 'src'), file))
    mkdirSync(dirname(target), { recursive: true })
    if (file.endsWith('.json')) cpSync(file, target)
    if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions, fileName: file })
    writeFileSync(target.replace(/\.ts$/, '.js'), outputText)
  }
}

/**
 * Writes into `appDir` what the build stage has before its production install, for the projects
 * `entryPackages` and their workspace dependencies; returns the .build-time written.
 */
export function recreateBuildContext (appDir: string, entryPackages: string[]): { buildTime: string, built: string[] } {
  if (!existsSync(join(repositoryRoot, 'packages', 'db', 'src', 'generated'))) {
    throw new Error('packages/db/src/generated is missing: `npm run setup` generates the Prisma client')
  }
  for (const file of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml']) cpSync(join(repositoryRoot, file), join(appDir, file))
  // The patches the workspace applies at install (the Dockerfile copies patches/ before pnpm fetch).
  const { patchedDependencies } = parse(readFileSync(join(repositoryRoot, 'pnpm-workspace.yaml'), 'utf8')) as { patchedDependencies?: Record<string, string> }
  for (const patch of Object.values(patchedDependencies ?? {})) cpSync(join(repositoryRoot, patch), join(appDir, patch), { recursive: true })
  const projects = workspaceProjects()
  for (const dir of projects.values()) cpSync(join(repositoryRoot, dir, 'package.json'), join(appDir, dir, 'package.json'))
  cpSync(join(repositoryRoot, 'prisma', 'migrations'), join(appDir, 'prisma', 'migrations'), { recursive: true })
  const built = productionClosure(projects, entryPackages)
  for (const dir of built) emitDist(join(repositoryRoot, dir), join(appDir, dir))
  // The console's page, which its build (`vite build`, after tsc) writes into dist/web: the one the
  // root scripts built from these sources (ensureConsoleBuilt in scripts/tooling.mjs).
  if (built.includes(join('packages', 'console'))) {
    const page = join(repositoryRoot, 'packages', 'console', 'dist', 'web')
    if (!existsSync(join(page, 'index.html'))) throw new Error('packages/console/dist/web is missing: npm test builds it (or npm run build)')
    cpSync(page, join(appDir, 'packages', 'console', 'dist', 'web'), { recursive: true })
  }
  const buildTime = '2026-01-02T03:04:05.000+0000'
  writeFileSync(join(appDir, '.build-time'), `${buildTime}\n`)
  return { buildTime, built }
}
