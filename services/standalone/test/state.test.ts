import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { loadOrCreateState } from '../src/state.js'

async function temporaryDir (t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-state-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

// guarantee: standalone-secrets-reused
t.test('the first load generates the secrets, later loads return them unchanged', async (t) => {
  const dataDir = join(await temporaryDir(t), 'nested', 'data')
  const first = await loadOrCreateState(dataDir)
  t.equal(first.created, true)
  t.equal(first.file, join(dataDir, 'standalone.json'))
  t.equal((await stat(first.file)).mode & 0o777, 0o600)
  t.equal(Buffer.from(first.state.masterKey, 'base64').length, 32)
  t.equal(first.state.adminUsername, 'admin')
  t.ok(first.state.adminPassword.length >= 12, 'long enough for AUTH_PASSWORD')
  t.match(first.state.postgresPassword, /^[0-9a-f]{48}$/)
  t.same(JSON.parse(await readFile(first.file, 'utf8')), first.state)

  const second = await loadOrCreateState(dataDir)
  t.equal(second.created, false)
  t.same(second.state, first.state)
})

t.test('two data folders get different secrets', async (t) => {
  const [a, b] = await Promise.all([loadOrCreateState(await temporaryDir(t)), loadOrCreateState(await temporaryDir(t))])
  t.not(a.state.masterKey, b.state.masterKey)
  t.not(a.state.adminPassword, b.state.adminPassword)
})

t.test('a loosened file mode is tightened again', async (t) => {
  const dataDir = await temporaryDir(t)
  const { file } = await loadOrCreateState(dataDir)
  await chmod(file, 0o644)
  await loadOrCreateState(dataDir)
  t.equal((await stat(file)).mode & 0o777, 0o600)
})

t.test('a damaged file is reported, never replaced', async (t) => {
  const dataDir = await temporaryDir(t)
  const file = join(dataDir, 'standalone.json')
  for (const content of ['{"masterKey": ', '{"masterKey":"x"}', '[]']) {
    await writeFile(file, content)
    await t.rejects(loadOrCreateState(dataDir), { message: `${file} is damaged: restore it from a backup (deleting it loses the master key that encrypts stored credentials)` }, content)
    t.equal(await readFile(file, 'utf8'), content, 'left as it was')
  }
})
