// The root scripts are what a fresh clone runs first (`npm start`, `npm test`, `npm run …`), before
// anything is installed: what they load statically, before calling ensureInstalled(), may only be
// Node.js itself and other such scripts. A static import of esbuild failed CI on a clean clone
// while every run here, with node_modules present, passed.
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { init, parse } from 'es-module-lexer'
import t from 'tap'

const scripts = join(dirname(fileURLToPath(import.meta.url)), '..')
await init

// The modules a script loads before it runs: its static imports, followed through our own files.
function staticGraph (file, seen = new Map()) {
  if (seen.has(file)) return seen
  const [imports] = parse(readFileSync(file, 'utf8'))
  const specifiers = imports.filter((entry) => entry.type === 'static').map((entry) => entry.specifier)
  seen.set(file, specifiers)
  for (const specifier of specifiers) {
    if (specifier.startsWith('.')) staticGraph(resolve(dirname(file), specifier), seen)
  }
  return seen
}

const entries = readdirSync(scripts).filter((name) => name.endsWith('.mjs'))
  .filter((name) => readFileSync(join(scripts, name), 'utf8').includes('ensureInstalled()'))

t.ok(entries.includes('test.mjs') && entries.includes('start.mjs') && entries.includes('pnpm.mjs'), 'the entry scripts are found')

for (const entry of entries) {
  t.test(entry, async (t) => {
    const outside = []
    for (const [file, specifiers] of staticGraph(join(scripts, entry))) {
      for (const specifier of specifiers) {
        if (!specifier.startsWith('node:') && !specifier.startsWith('.')) outside.push(`${file}: ${specifier}`)
      }
    }
    t.same(outside, [], 'only node: modules and our own scripts load before installation')
  })
}

t.test('the check sees a static import of a package, and not a dynamic one', async (t) => {
  const [imports] = parse("import { transform } from 'esbuild'\nconst later = await import('es-module-lexer')\n")
  t.same(imports.filter((entry) => entry.type === 'static').map((entry) => entry.specifier), ['esbuild'])
})
