// `npm run rotate-master-key`: re-seals every stored secret of DATABASE_URL from MASTER_KEY to
// NEW_MASTER_KEY in one transaction. Prints counts and places, never a key or a value.
import { ConfigError, EnvReader } from '@beacon/config'
import { RotationOutcomeUnknownError, rotateMasterKey } from './master-key-rotation.js'
import { MASTER_KEY_RULE, parseMasterKey } from './secret-box.js'

const read = new EnvReader(process.env)
const url = read.secret('DATABASE_URL', { required: true })
read.check(url === '' || /^postgres(ql)?:\/\//.test(url), 'DATABASE_URL must be a postgresql:// connection string')
const currentKey = read.parsed('MASTER_KEY', parseMasterKey, MASTER_KEY_RULE, Buffer.alloc(0), { required: true, secret: true })
const newKey = read.parsed('NEW_MASTER_KEY', parseMasterKey, MASTER_KEY_RULE, Buffer.alloc(0), { required: true, secret: true })
try {
  read.done()
} catch (error) {
  console.error((error as ConfigError).message)
  process.exit(1)
}

try {
  const report = await rotateMasterKey(url, currentKey, newKey)
  const counts = Object.entries(report.resealed)
  const total = counts.reduce((sum, [, count]) => sum + count, 0)
  console.log('re-sealed under NEW_MASTER_KEY, in one transaction:')
  for (const [column, count] of counts) console.log(`  ${column}: ${count}`)
  // Only a rotation before the one-time upgrade re-seals version-1 values (it is that upgrade then).
  console.log(`  total: ${total}${report.fromVersion1 > 0 ? ` (${report.fromVersion1} of them from the version-1 format)` : ''}`)
  console.log('Restart every api and dispatcher with MASTER_KEY set to the new key now: the old key no longer opens them.')
} catch (error) {
  // DbError messages name columns and rows only; anything else (connection refused…) says what failed.
  console.error(error instanceof RotationOutcomeUnknownError ? `master key rotation outcome unknown: ${error.message}` : `master key not rotated: ${(error as Error).message}`)
  process.exit(1)
}
