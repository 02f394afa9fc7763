import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { ConfigError, EnvReader, readCommon } from '../src/index.js'

const SECRET = 'pA55 word-from-a-file'

async function secretsDir (t: Test) {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-secrets-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

// guarantee: secrets-from-files
t.test('NAME_FILE: the file\'s content is the value, its trailing newline dropped, nothing else', async (t) => {
  const dir = await secretsDir(t)
  await writeFile(join(dir, 'password'), `${SECRET}\n`)
  await writeFile(join(dir, 'crlf'), `${SECRET}\r\n`)
  await writeFile(join(dir, 'url'), 'postgresql://beacon:s3cret@db/beacon')
  await writeFile(join(dir, 'lines'), `${SECRET}\r\n\n\r\n\n`)
  await writeFile(join(dir, 'cr'), `${SECRET}\r`)
  const read = new EnvReader({ PASSWORD_FILE: join(dir, 'password'), OTHER_FILE: join(dir, 'crlf'), DATABASE_URL_FILE: join(dir, 'url'), LINES_FILE: join(dir, 'lines'), CR_FILE: join(dir, 'cr') })
  t.equal(read.secret('PASSWORD', { required: true }), SECRET, 'inner spaces kept, the newline `echo` adds is not part of it')
  t.equal(read.secret('OTHER'), SECRET, 'a Windows line end too')
  t.equal(read.secret('LINES'), SECRET, 'every trailing line end, of either kind')
  t.equal(read.secret('CR'), `${SECRET}\r`, 'a carriage return without its line feed is no line end: kept')
  t.equal(readCommon(read).databaseUrl, 'postgresql://beacon:s3cret@db/beacon', 'readCommon reads DATABASE_URL this way')
  t.doesNotThrow(() => read.done())
})

t.test('NAME itself still works; neither given is "required" naming both ways', async (t) => {
  const read = new EnvReader({ PASSWORD: ` ${SECRET} ` })
  t.equal(read.secret('PASSWORD', { required: true }), SECRET)
  t.equal(read.secret('MISSING'), '', 'optional and absent: empty')
  read.secret('TOKEN', { required: true })
  t.same(read.problems, ['TOKEN is required (or TOKEN_FILE, the path of a file holding it)'])
})

t.test('both NAME and NAME_FILE set: a problem, and neither value is used', async (t) => {
  const dir = await secretsDir(t)
  await writeFile(join(dir, 'password'), SECRET)
  const read = new EnvReader({ PASSWORD: 'from-the-environment', PASSWORD_FILE: join(dir, 'password') })
  t.equal(read.secret('PASSWORD'), '')
  const error = t.throws(() => read.done()) as ConfigError
  t.same(error.problems, ['PASSWORD and PASSWORD_FILE are both set: set only one of them'])
  t.notMatch(error.message, /from-the-environment|pA55/, 'no value in the message')
})

t.test('a file that cannot be read, or is empty when required: the problem names the path, never the content', async (t) => {
  const dir = await secretsDir(t)
  const missing = join(dir, 'missing')
  const empty = join(dir, 'empty')
  await writeFile(empty, '\n')
  const read = new EnvReader({ A_FILE: missing, B_FILE: dir, C_FILE: empty })
  read.secret('A', { required: true })
  read.secret('B')
  read.secret('C', { required: true })
  t.same(read.problems, [
    'A_FILE names no existing file (ENOENT); the value is not shown, as it may be the secret itself',
    `B_FILE names ${dir}, which cannot be read (EISDIR)`,
    `C_FILE names ${empty}, which is empty`
  ])
})

t.test('a secret typed into NAME_FILE by mistake is not echoed as a path', async (t) => {
  // A key, a URL, a password that begins with '/' (as one base64 key in 64 does).
  const key = 'q1Xv9d0kZ3mA7pL2sT5wY8bC4eF6hJ1nR0uV3xZ6a9c='
  const url = 'postgresql://beacon:S3cretPassw0rd@db.internal:5432/beacon'
  const slash = '/S3cretPassw0rd!'
  // Longer than a file name may be, without a slash: ENAMETOOLONG, not ENOENT.
  const long = `S3cret${'x'.repeat(300)}`
  const read = new EnvReader({ MASTER_KEY_FILE: key, DATABASE_URL_FILE: url, AUTH_PASSWORD_FILE: slash, POWERAUTH_PASSWORD_FILE: long })
  read.secret('MASTER_KEY', { required: true })
  read.secret('DATABASE_URL', { required: true })
  read.secret('AUTH_PASSWORD', { required: true })
  read.secret('POWERAUTH_PASSWORD', { required: true })
  t.equal(read.problems.length, 4)
  t.match(read.problems[3], /\(ENAMETOOLONG\)/)
  for (const problem of read.problems) {
    t.match(problem, /names no existing file \((ENOENT|ENOTDIR|ENAMETOOLONG)\); the value is not shown, as it may be the secret itself/)
    t.notMatch(problem, /q1Xv|S3cret|db\.internal/, 'no part of the value')
  }
})

t.test('a value parse rejects, read from a file: the message gives the rule, never the content', async (t) => {
  const dir = await secretsDir(t)
  const key = join(dir, 'key')
  await writeFile(key, `${SECRET}\n`)
  const read = new EnvReader({ KEY_FILE: key })
  const value = read.parsed('KEY', (text) => { if (text.length !== 44) throw new Error(`bad key ${text}`); return text }, '44 characters of base64', 'fallback', { required: true, secret: true })
  t.equal(value, 'fallback')
  t.same(read.problems, ['KEY must be 44 characters of base64'])
})

t.test('a value that runs through an existing file (ENOTDIR) is not echoed either', async (t) => {
  const dir = await secretsDir(t)
  await writeFile(join(dir, 'plain'), 'x')
  // A value typed by mistake whose first part happens to name a file: the path is the secret's rest.
  const read = new EnvReader({ AUTH_PASSWORD_FILE: join(dir, 'plain', 'S3cretPassw0rd!') })
  read.secret('AUTH_PASSWORD', { required: true })
  t.same(read.problems, ['AUTH_PASSWORD_FILE names no existing file (ENOTDIR); the value is not shown, as it may be the secret itself'])
  t.notMatch(read.problems.join('\n'), /S3cret/)
})
