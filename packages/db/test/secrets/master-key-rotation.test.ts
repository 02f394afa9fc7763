import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { sealVersion1 } from '../../../testkit/src/legacy-sealed.js'
import { DbErrorCode } from '../../src/errors.js'
import { RotationRefusedError, rotateMasterKey } from '../../src/secrets/master-key-rotation.js'
import { createSecretBox } from '../../src/secrets/secret-box.js'
import { SEALED_COLUMNS, type SealedPlace } from '../../src/secrets/sealed-places.js'
import { createTestDatabase, withClient } from '../helpers/databases.js'
import { insertApplication, insertDeveloper, sealedValues, type StoredValue } from '../helpers/sealed-rows.js'

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..')
const run = promisify(execFile)

interface Seeded { url: string, key: Buffer, plaintexts: Map<string, string> }

/** A database with values of every sealed column, version 2 and one still version 1, all under `key`. */
async function seeded (t: Test): Promise<Seeded> {
  const database = await createTestDatabase()
  t.teardown(database.drop)
  const key = randomBytes(32)
  const box = createSecretBox(key)
  const plaintexts = new Map<string, string>()
  await withClient(database.url, async (client) => {
    const seal = async (place: SealedPlace, plaintext: string) => {
      const { table, column } = SEALED_COLUMNS[place.column]
      await client.query(`UPDATE "${table}" SET "${column}" = $1 WHERE id = $2`, [box.seal(place, plaintext), place.rowId])
      plaintexts.set(`${place.column}:${place.rowId}`, plaintext)
    }
    for (const appId of [1, 2]) {
      const id = await insertApplication(client, appId, {})
      await seal({ column: 'application.apns_private_key', rowId: id }, `apns ${appId}`)
      await seal({ column: 'application.fcm_service_account', rowId: id }, `{"fcm":${appId}}`)
    }
    for (const name of ['a', 'b', 'c']) {
      const id = await insertDeveloper(client, name, Buffer.alloc(0))
      await seal({ column: 'developer.secret', rowId: id }, `secret ${name}`)
    }
    const legacy = await insertDeveloper(client, 'legacy', sealVersion1(key, 'legacy secret'))
    plaintexts.set(`developer.secret:${legacy}`, 'legacy secret')
  })
  return { url: database.url, key, plaintexts }
}

const valuesOf = (url: string) => withClient(url, sealedValues)

function openAll (values: Map<string, StoredValue>, key: Buffer): Map<string, string> {
  const box = createSecretBox(key)
  return new Map([...values].map(([label, value]) => [label, box.open(value, value.sealed).toString()]))
}

t.test('every value is re-sealed under the new key; the old key opens none of them', async (t) => {
  const { url, key, plaintexts } = await seeded(t)
  const newKey = randomBytes(32)
  const report = await rotateMasterKey(url, key, newKey)
  t.same(report, { resealed: { 'application.apns_private_key': 2, 'application.fcm_service_account': 2, 'developer.secret': 4 }, fromVersion1: 1 })
  const after = await valuesOf(url)
  t.same(openAll(after, newKey), plaintexts, 'the new key opens every value, the version-1 one included, in its place')
  const old = createSecretBox(key)
  for (const [label, value] of after) {
    t.throws(() => old.open(value, value.sealed), { code: DbErrorCode.SECRET_UNREADABLE }, `old key refused: ${label}`)
  }
})

t.test('one value the current key cannot open: refused by place, nothing changed', async (t) => {
  const { url, key } = await seeded(t)
  const stranger = await withClient(url, (client) =>
    insertDeveloper(client, 'stranger', createSecretBox(randomBytes(32)).seal({ column: 'developer.secret', rowId: 999 }, 'not ours')))
  const before = await valuesOf(url)
  const error = await rotateMasterKey(url, key, randomBytes(32)).then(() => undefined, (e: unknown) => e)
  t.ok(error instanceof RotationRefusedError)
  t.match(error, { code: DbErrorCode.SECRET_ROTATION_REFUSED, unreadable: [{ column: 'developer.secret', rowId: stranger }] })
  t.match((error as Error).message, `developer.secret:${stranger}`)
  t.same(await valuesOf(url), before, 'no value changed')
  const ours = new Map([...before].filter(([label, value]) => label !== `developer.secret:${stranger}` && value.sealed[0] === 2))
  t.equal(openAll(ours, key).size, 7, 'the other version-2 values still open with the current key')
})

t.test('the same key twice is refused', async (t) => {
  const key = randomBytes(32)
  await t.rejects(rotateMasterKey('postgresql://unused', key, Buffer.from(key)), { code: DbErrorCode.SECRET_KEY_INVALID })
})

t.test('npm run rotate-master-key: counts on stdout, the new key opens everything, keys never printed', async (t) => {
  const { url, key, plaintexts } = await seeded(t)
  const newKey = randomBytes(32)
  const env = { ...process.env, DATABASE_URL: url, MASTER_KEY: key.toString('base64'), NEW_MASTER_KEY: newKey.toString('base64') }
  const { stdout, stderr } = await run('npm', ['run', '--silent', 'rotate-master-key'], { cwd: repositoryRoot, env })
  t.match(stdout, /application\.apns_private_key: 2\n\s+application\.fcm_service_account: 2\n\s+developer\.secret: 4\n\s+total: 8 \(1 of them from the version-1 format\)/)
  t.match(stdout, /Restart every api and dispatcher with MASTER_KEY set to the new key/)
  for (const printed of [stdout, stderr]) {
    t.notOk(printed.includes(key.toString('base64')) || printed.includes(newKey.toString('base64')), 'no key printed')
  }
  t.same(openAll(await valuesOf(url), newKey), plaintexts)

  // Run again with the keys of before: the current key no longer opens anything.
  const again = await run('npm', ['run', '--silent', 'rotate-master-key'], { cwd: repositoryRoot, env }).then(() => null, (e: { code: number, stderr: string }) => e)
  t.equal(again?.code, 1, 'exit code 1')
  t.match(again?.stderr, /master key not rotated: 8 sealed value\(s\) cannot be opened with the current master key \(column:row application\.apns_private_key:\d+, /)
  t.match(again?.stderr, /nothing was changed/)
  t.notOk(Object.values(Object.fromEntries(plaintexts)).some((plaintext) => again?.stderr.includes(plaintext)), 'no value printed')
  t.same(openAll(await valuesOf(url), newKey), plaintexts, 'still all under the new key')
})

t.test('the command with a bad NEW_MASTER_KEY: a configuration error, exit code 1', async (t) => {
  const env = { ...process.env, DATABASE_URL: 'postgresql://127.0.0.1:1/none', MASTER_KEY: randomBytes(32).toString('base64'), NEW_MASTER_KEY: 'short' }
  // The script's command without npm's start-up: the npm script itself is run by the test above.
  const cli = join(repositoryRoot, 'packages/db/src/secrets/rotate-master-key-cli.ts')
  const result = await run(process.execPath, ['--import=tsx', '--conditions=beacon-source', cli], { cwd: repositoryRoot, env }).then(() => null, (e: { code: number, stderr: string }) => e)
  t.equal(result?.code, 1)
  t.match(result?.stderr, /NEW_MASTER_KEY must be 32 random bytes encoded as base64/)
  t.notMatch(result?.stderr, /short/, 'the bad key is not echoed')
})
