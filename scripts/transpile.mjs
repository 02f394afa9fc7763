// The test runner's JavaScript: every package's TypeScript (src, test, scripts) transpiled once per
// run into hidden sibling folders (`src` -> `.js-src`, `test` -> `.js-test`, …) that node runs
// without a module hook.
//
// Why: through tsx each module costs two round trips to Node 20's loader thread. A test process
// loads ~2,200 modules (typebox alone is ~680), and the hook made up ~1.8 CPU-s of each
// process's start, in ~300 processes per run. The transform is the one tsx makes (esbuild's, per
// file, with our tsconfig), so the code that runs is the same.
//
// Packages of many small modules are bundled once per run too (`BUNDLED`): typebox 1.x is ~680
// ES modules, ~0.4 CPU-s to load in every test process that imports our contracts, its bundle
// ~50 ms. A quarter of the api's test files (28) took 127 CPU-s of node with the bundle, against
// 148-157 without, and 102 s against 108-118. Every subpath it exports is an entry of one
// esbuild build with code splitting, so `typebox`, `typebox/compile` and `typebox/value` share one
// copy of what they share (a format registered through one is seen by the others), as they do
// unbundled. Only the tests' JavaScript imports the bundles; the build (`dist`) keeps the package.
//
// The folders sit beside the sources, at the same depth, so `import.meta.url`-relative paths
// (`../../package.json`, the migrations folder, fixtures) still find their files: what is not
// TypeScript is linked into them. Relative imports are rewritten to the transpiled file; packages
// resolve to theirs through the `beacon-js` export condition (`--conditions=beacon-js`).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { createRequire } from 'node:module'
import { build, transform } from 'esbuild'
import { init, parse } from 'es-module-lexer'

/** The folders of a package that are transpiled, and the name of each one's mirror. */
export const MIRRORED = ['src', 'test', 'scripts']
export const mirrorName = (folder) => `.js-${folder}`
const MIRROR_NAMES = new Set(MIRRORED.map(mirrorName))
/**
 * Packages whose imports point at a bundle of them, made in `.js-vendor/<name>` at the root. Only
 * a package that nothing in node_modules imports at runtime: that one would load the package
 * itself, a second copy beside the bundle (typebox: @fastify/type-provider-typebox is imported
 * for its types only).
 */
export const BUNDLED = ['typebox']
const VENDOR = '.js-vendor'

/** Each of BUNDLED that one of `packageDirs` depends on, with that package's folder. */
const bundleHomes = (packageDirs) => BUNDLED
  .map((name) => ({ name, home: packageDirs.find((dir) => existsSync(join(dir, 'node_modules', name, 'package.json'))) }))
  .filter(({ home }) => home !== undefined)

/** A bare specifier of a bundled package (of `names`): its name and subpath (`.` for the package itself). */
function bundledSubpath (names, specifier) {
  for (const name of names) {
    if (specifier === name) return { name, subpath: '.' }
    if (specifier.startsWith(`${name}/`)) return { name, subpath: `./${specifier.slice(name.length + 1)}` }
  }
  return undefined
}
/** The file of a subpath's entry in its bundle: `index` for the package itself, else the subpath. */
const entryName = (subpath) => (subpath === '.' ? 'index' : subpath.slice(2))
const bundleFile = (root, name, subpath) => join(root, VENDOR, name, `${entryName(subpath)}.js`)

/**
 * Bundles each package of `homes` (bundleHomes) into `<root>/.js-vendor/<name>`: one entry per
 * subpath its `exports` map names, shared code in chunks.
 */
async function bundlePackages (root, homes) {
  await rm(join(root, VENDOR), { recursive: true, force: true })
  for (const { name, home } of homes) {
    const manifest = JSON.parse(readFileSync(join(home, 'node_modules', name, 'package.json'), 'utf8'))
    const subpaths = Object.keys(manifest.exports ?? { '.': null }).filter((key) => !key.includes('*'))
    const require = createRequire(join(home, 'package.json'))
    await build({
      entryPoints: subpaths.map((subpath) => ({ in: require.resolve(subpath === '.' ? name : `${name}/${subpath.slice(2)}`), out: entryName(subpath) })),
      outdir: join(root, VENDOR, name),
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      outExtension: { '.js': '.js' },
      logLevel: 'silent'
    })
    await writeFile(join(root, VENDOR, name, 'package.json'), JSON.stringify({ type: 'module' }))
  }
}

function walk (dir, files = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) walk(path, files)
    else files.push(path)
  }
  return files
}

/** Where a path inside a mirrored folder of `packageDir` lands, or undefined outside them. */
function mirrored (packageDir, path) {
  const rel = relative(packageDir, path)
  const [folder, ...rest] = rel.split(sep)
  if (!MIRRORED.includes(folder) || rest.length === 0) return undefined
  return join(packageDir, mirrorName(folder), ...rest)
}

const tsconfig = (root) => {
  const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'))
  return { compilerOptions: { target: compilerOptions.target, verbatimModuleSyntax: compilerOptions.verbatimModuleSyntax } }
}

async function transpileFile (root, packageDirs, bundled, file, tsconfigRaw) {
  // A relative import may reach into another package (the db's tests use the test kit's files).
  const mirroredAnywhere = (path) => {
    const owner = packageDirs.find((dir) => path.startsWith(dir + sep))
    return owner === undefined ? undefined : mirrored(owner, path)
  }
  const source = readFileSync(file, 'utf8')
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: `node${process.versions.node}`, tsconfigRaw, sourcefile: file })
  const out = mirroredAnywhere(file).replace(/\.ts$/, '.js')
  const [imports] = parse(code)
  let rewritten = ''
  let last = 0
  for (const { specifier, start, end } of imports) {
    if (typeof specifier !== 'string') continue
    const bundle = bundledSubpath(bundled, specifier)
    if (!specifier.startsWith('.') && bundle === undefined) continue
    // A relative import of a TypeScript file names it `.js`, which is where its transpiled file
    // lands in the mirror; other targets inside a mirrored folder are linked there.
    const target = bundle === undefined ? resolve(dirname(file), specifier) : bundleFile(root, bundle.name, bundle.subpath)
    const destination = mirroredAnywhere(target) ?? target
    let next = relative(dirname(out), destination).split(sep).join('/')
    if (!next.startsWith('.')) next = `./${next}`
    rewritten += code.slice(last, start) + (code[start - 1] === '\'' || code[start - 1] === '"' ? next : JSON.stringify(next))
    last = end
  }
  rewritten += code.slice(last)
  await mkdir(dirname(out), { recursive: true })
  await writeFile(out, rewritten)
}

/**
 * Transpiles the mirrored folders of each package directory (absolute paths) afresh: the old
 * mirrors are removed first, so a deleted source leaves nothing behind.
 */
export async function transpilePackages (root, packageDirs) {
  await init
  const tsconfigRaw = tsconfig(root)
  const homes = bundleHomes(packageDirs)
  const bundled = homes.map(({ name }) => name)
  const work = [() => bundlePackages(root, homes)]
  for (const packageDir of packageDirs) {
    for (const name of MIRROR_NAMES) await rm(join(packageDir, name), { recursive: true, force: true })
    for (const folder of MIRRORED) {
      if (!existsSync(join(packageDir, folder))) continue
      for (const file of walk(join(packageDir, folder))) {
        if (file.endsWith('.ts') && !file.endsWith('.d.ts')) work.push(() => transpileFile(root, packageDirs, bundled, file, tsconfigRaw))
        else {
          const link = mirrored(packageDir, file)
          work.push(async () => {
            await mkdir(dirname(link), { recursive: true })
            await symlink(relative(dirname(link), file), link)
          })
        }
      }
    }
  }
  // esbuild's service transforms in parallel; a bounded number in flight keeps memory flat.
  let next = 0
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < work.length) await work[next++]()
  }))
  return work.length
}
