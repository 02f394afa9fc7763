// Set-up shared by every root script: a fresh clone needs nothing but Node.js. pnpm itself is
// installed into .beacon/tools (corepack cannot verify the registry's metadata here), then the
// workspace is installed and the Prisma client generated whenever their inputs changed.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const pnpmVersion = rootManifest.packageManager.split('@')[1]
const toolsDir = join(root, '.beacon', 'tools')
const pnpmBin = join(toolsDir, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs')

function run (command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options })
  if (result.error) throw result.error
  if (result.status !== 0) process.exit(result.status ?? 1)
}

function ensurePnpm () {
  if (existsSync(pnpmBin)) return
  mkdirSync(toolsDir, { recursive: true })
  writeFileSync(join(toolsDir, 'package.json'), '{"private":true}\n')
  console.error(`[setup] installing pnpm ${pnpmVersion} into .beacon/tools`)
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `pnpm@${pnpmVersion}`], { cwd: toolsDir })
}

export function pnpm (args, options) {
  // Ctrl+C reaches pnpm and what it runs by itself (the terminal signals the whole process group):
  // this wrapper waits for them to finish stopping and exits as they do, instead of dying first
  // and giving the prompt back while `npm start` is still stopping. (A SIGTERM is sent to one
  // process, this one: it still ends it.)
  process.on('SIGINT', () => {})
  run(process.execPath, [pnpmBin, ...args], options)
}

function manifests () {
  const files = ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', 'bench/package.json']
  for (const group of ['packages', 'services', 'tests']) {
    for (const name of readdirSync(join(root, group))) files.push(join(group, name, 'package.json'))
  }
  return files.filter((file) => existsSync(join(root, file)))
}

function digest (files) {
  const hash = createHash('sha256')
  for (const file of files) hash.update(file).update(readFileSync(join(root, file)))
  return hash.digest('hex')
}

/** Every file under `dir` (relative to the root), sorted: a folder's content as digest input. */
function filesUnder (dir) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath ?? entry.path, entry.name)))
    .sort()
}

function upToDate (stampFile, files) {
  const stamp = join(root, 'node_modules', stampFile)
  const current = digest(files)
  const fresh = existsSync(stamp) && readFileSync(stamp, 'utf8') === current
  return { fresh, save: () => writeFileSync(stamp, current) }
}

export function ensureInstalled () {
  ensurePnpm()
  const install = upToDate('.beacon-install', manifests())
  if (!install.fresh) {
    const frozen = existsSync(join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : []
    pnpm(['install', ...frozen])
    // Every package runs tap with the tsx loader instead of tap's ts-node plugin; tap bakes its
    // plugin list into its own install, so it is rebuilt after each install.
    run(join(root, 'node_modules', '.bin', 'tap'), ['build'], { cwd: join(root, 'packages', 'contracts') })
    install.save()
  }
  const generated = upToDate('.beacon-generate', ['prisma/schema.prisma', 'packages/db/package.json'])
  if (!generated.fresh || !existsSync(join(root, 'packages/db/src/generated'))) {
    pnpm(['--filter', '@beacon/db', 'generate'])
    generated.save()
  }
}

const consoleDir = join(root, 'packages', 'console')
/**
 * The web console's page (packages/console, built by Vite into dist/web), which the api serves at
 * /console: built when its sources changed, so that `npm start` and the browser tests on a fresh
 * clone serve the page of the sources at hand (~2 s).
 */
export function ensureConsoleBuilt () {
  const inputs = [...filesUnder('packages/console/app'), 'packages/console/src/user-ids.ts', 'packages/console/vite.config.ts', 'packages/console/package.json']
  const built = upToDate('.beacon-console', inputs)
  if (built.fresh && existsSync(join(consoleDir, 'dist', 'web', 'index.html'))) return
  console.error('[setup] building the web console (packages/console)')
  run(process.execPath, [join(consoleDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: consoleDir })
  built.save()
}

/**
 * Debian's Chromium for the console's browser tests (tests/console, driven by playwright-core:
 * Playwright's own browser download cannot reach its host from here). Installed with apt when
 * missing and this process may (root); otherwise the tests say what to install. CHROMIUM_PATH
 * names another build.
 */
export function ensureChromium () {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (existsSync(path)) return
  if (process.env.CHROMIUM_PATH !== undefined || process.getuid?.() !== 0) {
    console.error(`[setup] no Chromium at ${path}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH; the browser tests will fail`)
    return
  }
  console.error('[setup] installing Debian\'s chromium for the browser tests (apt-get)')
  const install = () => spawnSync('apt-get', ['install', '--yes', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  // A machine whose package lists are stale or absent needs them fetched first.
  if (install().status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit' })
    install()
  }
}
