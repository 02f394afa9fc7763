// The test runner's JavaScript: every package's TypeScript (src, test, scripts) transpiled once per
// run into hidden sibling folders (`src` -> `.js-src`, `test` -> `.js-test`, …) that node runs
// without a module hook.
//
// Why: through tsx each module costs two round trips to Node 20's loader thread. A test process
// loads ~2,200 modules (typebox alone is ~680), and the hook made up ~1.8 CPU-s of each
// process's start, in ~300 processes per run. The transform is the one tsx makes (esbuild's, per
// file, with our tsconfig), so the code that runs is the same.
//
// The folders sit beside the sources, at the same depth, so `import.meta.url`-relative paths
// (`../../package.json`, the migrations folder, fixtures) still find their files: what is not
// TypeScript is linked into them. Relative imports are rewritten to the transpiled file; packages
// resolve to theirs through the `beacon-js` export condition (`--conditions=beacon-js`).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { transform } from 'esbuild'
import { init, parse } from 'es-module-lexer'

/** The folders of a package that are transpiled, and the name of each one's mirror. */
export const MIRRORED = ['src', 'test', 'scripts']
export const mirrorName = (folder) => `.js-${folder}`
const MIRROR_NAMES = new Set(MIRRORED.map(mirrorName))

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

async function transpileFile (packageDirs, file, tsconfigRaw) {
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
    if (typeof specifier !== 'string' || !specifier.startsWith('.')) continue
    // A relative import of a TypeScript file names it `.js`, which is where its transpiled file
    // lands in the mirror; other targets inside a mirrored folder are linked there.
    const target = resolve(dirname(file), specifier)
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
  const work = []
  for (const packageDir of packageDirs) {
    for (const name of MIRROR_NAMES) await rm(join(packageDir, name), { recursive: true, force: true })
    for (const folder of MIRRORED) {
      if (!existsSync(join(packageDir, folder))) continue
      for (const file of walk(join(packageDir, folder))) {
        if (file.endsWith('.ts') && !file.endsWith('.d.ts')) work.push(() => transpileFile(packageDirs, file, tsconfigRaw))
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
