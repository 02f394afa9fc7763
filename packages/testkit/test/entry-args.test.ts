import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { entryArgs, repositoryRoot, runsTranspiled } from '../src/index.js'

t.test('a service entry runs the way these tests run: transpiled with plain node, or through tsx', async (t) => {
  // A checkout whose own path holds a `src` folder: only the package's is the transpiled one.
  const entry = '/home/me/src/beacon/services/api/src/server.ts'
  t.same(entryArgs(entry), runsTranspiled
    ? ['--conditions=beacon-js', '/home/me/src/beacon/services/api/.js-src/server.js']
    : ['--import=tsx', '--conditions=beacon-source', entry])
})

t.test('the arguments start the real entry point', async (t) => {
  const args = entryArgs(join(repositoryRoot, 'packages', 'db', 'src', 'migrate-cli.ts'))
  t.ok(existsSync(args.at(-1)!), `${args.at(-1)} exists`)
  // The migration CLI without DATABASE_URL refuses to start with a message: it loaded.
  const run = spawnSync(process.execPath, args, { cwd: repositoryRoot, encoding: 'utf8', env: { PATH: process.env.PATH } })
  t.not(run.status, 0)
  t.match(run.stderr, /DATABASE_URL/)
})
