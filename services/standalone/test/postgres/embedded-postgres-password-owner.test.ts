import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir, userInfo } from 'node:os'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { temporaryDataDir } from '../helpers/standalone-process.js'

const self = fileURLToPath(import.meta.url)
const fixture = fileURLToPath(new URL(`../fixtures/initialise-only${extname(self)}`, import.meta.url))
const nodeArgs = extname(self) === '.ts' ? ['--import=tsx', '--conditions=beacon-source'] : ['--conditions=beacon-js']

// As root, the package runs initdb as the `postgres` user whenever that user exists (its spawn
// takes the user's ids), createPostgresUser or not; the patched password file (0600) must then be
// that user's too, or initdb cannot read it. Not root: initdb runs as this user, owner of the file.
t.test('initdb can read the password file whichever user the package runs it as', async (t) => {
  const dataDir = await temporaryDataDir()
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  if (userInfo().uid === 0) {
    // Without createPostgresUser the package does not hand the folder over itself.
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }))
    await chown(dataDir, id('-u'), id('-g'))
  }
  // A temp folder of the test's own (which initdb as the postgres user can pass through): the
  // shared one also holds the files of other clusters being created meanwhile, by other tests.
  const privateTmp = await mkdtemp(join(tmpdir(), 'beacon-pwfile-'))
  await chmod(privateTmp, 0o711)
  t.teardown(() => rm(privateTmp, { recursive: true, force: true }))
  const left = async () => (await readdir(privateTmp)).filter((name) => name.startsWith('pg-password-'))
  const child = spawn(process.execPath, [...nodeArgs, fixture, dataDir], { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, TMPDIR: privateTmp } })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [code] = await once(child, 'exit')
  t.equal(code, 0, `initdb created the cluster${stderr === '' ? '' : `: ${stderr.slice(0, 2000)}`}`)
  t.same(await left(), [], 'no password file left behind')
  t.ok((await readdir(dataDir)).includes('PG_VERSION'), 'the cluster is there')
})
