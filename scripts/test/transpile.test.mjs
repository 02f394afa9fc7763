import { spawnSync } from 'node:child_process'
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { transpilePackages } from '../transpile.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

// A workspace of one package, in a temporary folder: its sources use what ours do.
function workspace (t) {
  const dir = mkdtempSync(join(root, 'node_modules', '.transpile-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const write = (path, text) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  write('tsconfig.base.json', JSON.stringify({ compilerOptions: { target: 'ES2023', verbatimModuleSyntax: true } }))
  write('pkg/package.json', JSON.stringify({ name: 'pkg', version: '1.2.3', type: 'module' }))
  write('pkg/src/greeting.ts', "export const greeting = (name: string): string => 'hello ' + name\n")
  write('pkg/src/data.json', '{ "answer": 42 }\n')
  write('pkg/src/index.ts', [
    "import type { Stats } from 'node:fs'",
    "import { readFileSync } from 'node:fs'",
    "import { greeting } from './greeting.js'",
    "import data from './data.json' with { type: 'json' }",
    "export { greeting } from './greeting.js'",
    "const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }",
    "export const lazy = async (): Promise<string> => (await import('./greeting.js')).greeting('lazy')",
    'const name = "./greet" + "ing.js"',
    'export const computed = async (): Promise<string> => (await import(name)).greeting("computed")',
    "export const summary = (stats?: Stats): string => [greeting('index'), data.answer, manifest.version, stats === undefined].join(' ')",
    ''
  ].join('\n'))
  write('pkg/test/fixtures/input.txt', 'fixture\n')
  write('pkg/test/main.test.ts', [
    "import { readFileSync } from 'node:fs'",
    "import { summary, lazy } from '../src/index.js'",
    "console.log(summary(), await lazy(), readFileSync(new URL('./fixtures/input.txt', import.meta.url), 'utf8').trim())",
    ''
  ].join('\n'))
  return { dir, pkg: join(dir, 'pkg'), write }
}

t.test('sources become JavaScript beside them, and run with plain node as they did through tsx', async (t) => {
  const { dir, pkg } = workspace(t)
  await transpilePackages(dir, [pkg])
  const test = readFileSync(join(pkg, '.js-test', 'main.test.js'), 'utf8')
  t.match(test, /from "\.\.\/\.js-src\/index\.js"/, 'a relative import of TypeScript points at its transpiled file')
  const index = readFileSync(join(pkg, '.js-src', 'index.js'), 'utf8')
  t.match(index, /from "\.\/greeting\.js"/)
  t.match(index, /import\("\.\/greeting\.js"\)/, 'a literal dynamic import too')
  t.match(index, /with \{ type: "json" \}/, 'import attributes are kept (node 20 needs them for JSON)')
  t.notMatch(index, /Stats/, 'type-only imports are gone')
  t.ok(lstatSync(join(pkg, '.js-src', 'data.json')).isSymbolicLink(), 'what is not TypeScript is linked')
  t.ok(lstatSync(join(pkg, '.js-test', 'fixtures', 'input.txt')).isSymbolicLink())

  const run = spawnSync(process.execPath, ['.js-test/main.test.js'], { cwd: pkg, encoding: 'utf8' })
  t.equal(run.stderr, '')
  t.equal(run.stdout, 'hello index 42 1.2.3 true hello lazy fixture\n', 'same depth: ../package.json and ./fixtures still resolve')

  const computed = spawnSync(process.execPath, ['--input-type=module', '-e', "console.log(await (await import('./.js-src/index.js')).computed())"], { cwd: pkg, encoding: 'utf8' })
  t.equal(computed.stdout, 'hello computed\n', 'a computed dynamic import is left as written, and still finds the transpiled file')
})

t.test("a relative import into another package's sources points at that package's transpiled file", async (t) => {
  const { dir, pkg, write } = workspace(t)
  write('other/src/shared.ts', "export const shared: string = 'shared'\n")
  write('pkg/test/cross.test.ts', "import { shared } from '../../other/src/shared.js'\nconsole.log(shared)\n")
  await transpilePackages(dir, [pkg, join(dir, 'other')])
  t.match(readFileSync(join(pkg, '.js-test', 'cross.test.js'), 'utf8'), /from "\.\.\/\.\.\/other\/\.js-src\/shared\.js"/)
  const run = spawnSync(process.execPath, ['.js-test/cross.test.js'], { cwd: pkg, encoding: 'utf8' })
  t.equal(run.stdout, 'shared\n')
})

t.test('each run starts afresh: what was removed from the sources is gone from the mirror', async (t) => {
  const { dir, pkg, write } = workspace(t)
  write('pkg/src/old.ts', 'export const old = 1\n')
  await transpilePackages(dir, [pkg])
  t.ok(existsSync(join(pkg, '.js-src', 'old.js')))
  rmSync(join(pkg, 'src', 'old.ts'))
  await transpilePackages(dir, [pkg])
  t.notOk(existsSync(join(pkg, '.js-src', 'old.js')))
  t.ok(existsSync(join(pkg, '.js-src', 'index.js')))
})

t.test('typebox is imported from one bundle of it: every subpath an entry, one copy of what they share', async (t) => {
  const { dir, pkg, write } = workspace(t)
  mkdirSync(join(pkg, 'node_modules'))
  symlinkSync(realpathSync(join(root, 'packages', 'contracts', 'node_modules', 'typebox')), join(pkg, 'node_modules', 'typebox'))
  write('pkg/src/formats.ts', [
    "import { Type } from 'typebox'",
    "import { Compile } from 'typebox/compile'",
    "import { Format } from 'typebox/format'",
    "import { Value } from 'typebox/value'",
    // Registered through one subpath, read through another: two copies would not see it.
    "Format.Set('even-length', (value: string) => value.length % 2 === 0)",
    "const schema = Type.String({ format: 'even-length' })",
    'const check = Compile(schema)',
    "console.log(check.Check('ab'), check.Check('abc'), Value.Check(schema, 'abcd'), Value.Check(schema, 'a'))",
    ''
  ].join('\n'))
  await transpilePackages(dir, [pkg])
  const code = readFileSync(join(pkg, '.js-src', 'formats.js'), 'utf8')
  t.match(code, /from "\.\.\/\.\.\/\.js-vendor\/typebox\/index\.js"/, "'typebox' points at its bundle")
  t.match(code, /from "\.\.\/\.\.\/\.js-vendor\/typebox\/compile\.js"/, "'typebox/compile' at the bundle's entry of that subpath")
  t.ok(readdirSync(join(dir, '.js-vendor', 'typebox')).length < 40, 'a handful of files, not the package\'s ~680 modules')
  const run = spawnSync(process.execPath, ['.js-src/formats.js'], { cwd: pkg, encoding: 'utf8' })
  t.equal(run.stderr, '')
  t.equal(run.stdout, 'true false true false\n', 'a format registered through typebox/format is checked by typebox/compile and typebox/value')
})
