// README: the root scripts install the workspace and generate the Prisma client on the first run,
// later only when what they come from changed. A mistake here either reinstalls on every
// `npm start` (minutes on a slow network) or, worse, keeps a stale install after a lockfile change.
// The real tooling.mjs runs in a workspace of its own under a temp folder, with stand-ins for pnpm
// and tap that record what they were asked: nothing is installed.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const tooling = join(dirname(fileURLToPath(import.meta.url)), '..', 'tooling.mjs')

function fakeWorkspace (t) {
  const root = mkdtempSync(join(tmpdir(), 'beacon-tooling-'))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const log = join(root, 'calls.log')
  const write = (file, text) => { mkdirSync(dirname(join(root, file)), { recursive: true }); writeFileSync(join(root, file), text) }
  write('package.json', JSON.stringify({ name: 'w', packageManager: 'pnpm@10.0.0' }))
  write('pnpm-lock.yaml', 'lockfileVersion: 9\n')
  write('pnpm-workspace.yaml', 'packages: []\n')
  write('bench/package.json', '{}')
  for (const name of ['packages/db', 'packages/contracts', 'services/api', 'tests/e2e']) write(`${name}/package.json`, `{"name":"${name}"}`)
  write('packages/db/src/generated/client.ts', '')
  write('prisma/schema.prisma', 'model A { id Int @id }\n')
  write('services/api/src/index.ts', 'export {}\n')
  write('README.md', '# w\n')
  // pnpm present (ensurePnpm installs it only when missing), run as `node pnpm.cjs …`.
  write('.beacon/tools/node_modules/pnpm/bin/pnpm.cjs', `require('fs').appendFileSync(${JSON.stringify(log)}, 'pnpm ' + process.argv.slice(2).join(' ') + '\\n')\n`)
  write('node_modules/.bin/tap', `#!/bin/sh\necho "tap $*" >> '${log}'\n`)
  chmodSync(join(root, 'node_modules/.bin/tap'), 0o755)
  mkdirSync(join(root, 'scripts'))
  copyFileSync(tooling, join(root, 'scripts', 'tooling.mjs'))
  return {
    root,
    write,
    /** What one ensureInstalled() ran, in order. */
    async run () {
      writeFileSync(log, '')
      const { ensureInstalled } = await import(`${join(root, 'scripts', 'tooling.mjs')}?${Math.random()}`)
      ensureInstalled()
      return readFileSync(log, 'utf8').split('\n').filter((line) => line !== '')
    }
  }
}

const INSTALL = ['pnpm install --frozen-lockfile', 'tap build']
const GENERATE = ['pnpm --filter @beacon/db generate']

// guarantee: installs-rerun-on-manifest-change
t.test('installs and generation run on the first run, then again only when their inputs changed', async (t) => {
  const w = fakeWorkspace(t)
  t.same(await w.run(), [...INSTALL, ...GENERATE], 'the first run installs and generates')
  t.same(await w.run(), [], 'nothing changed: nothing runs')

  w.write('services/api/src/index.ts', 'export const changed = 1\n')
  w.write('README.md', '# changed\n')
  t.same(await w.run(), [], 'sources and documents are no install input')
  w.write('services/api/package.json', '{"name":"services/api"}')
  t.same(await w.run(), [], 'a package.json written again unchanged: nothing (contents count, not times)')

  for (const file of ['package.json', 'services/api/package.json', 'tests/e2e/package.json', 'bench/package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml']) {
    w.write(file, file === 'package.json' ? JSON.stringify({ name: 'w', packageManager: 'pnpm@10.0.0', version: file }) : `# ${file} changed\n`)
    t.same(await w.run(), INSTALL, `${file} changed: installed again`)
    t.same(await w.run(), [], `${file}: once`)
  }

  w.write('prisma/schema.prisma', 'model B { id Int @id }\n')
  t.same(await w.run(), GENERATE, 'the Prisma schema changed: generated again, not installed')
  w.write('packages/db/package.json', '{"name":"packages/db","version":"2"}')
  t.same(await w.run(), [...INSTALL, ...GENERATE], "the db package's manifest: both")
  w.write('packages/new/package.json', '{"name":"packages/new"}')
  t.same(await w.run(), INSTALL, 'a package added: installed again')

  rmSync(join(w.root, 'packages/db/src/generated'), { recursive: true })
  t.same(await w.run(), GENERATE, 'the generated client gone: generated again')
})
