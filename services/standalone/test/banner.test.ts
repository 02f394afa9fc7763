import t from 'tap'
import { startupBanner } from '../src/banner.js'
import type { Standalone } from '../src/startup.js'

const bannerFor = (databaseUrl: string) => startupBanner({
  url: 'http://127.0.0.1:8080',
  admin: { username: 'operator', password: 'x', fromStateFile: false },
  settings: { dataDir: '/data', embeddedPgPort: 54329 },
  stateFile: '/data/standalone.json',
  embedded: null,
  migrationsApplied: [],
  config: { tls: null, databaseUrl }
} as unknown as Standalone)

// node-postgres takes a password from the query string too (?password=, as libpq does), and a
// client key's passphrase (sslpassword): the banner shows neither part.
t.test('the banner shows DATABASE_URL without its password, in the user part or the query', async (t) => {
  const urls = [
    'postgresql://beacon:UserinfoSecret1@db.example:5432/beacon',
    'postgresql://beacon@db.example:5432/beacon?password=QuerySecret1',
    'postgresql://beacon@db.example:5432/beacon?sslmode=require&sslpassword=KeySecret1'
  ]
  for (const databaseUrl of urls) {
    const line = bannerFor(databaseUrl).split('\n').find((line) => line.includes('database:'))
    t.equal(line, '  database: postgresql://beacon@db.example:5432/beacon (DATABASE_URL)', databaseUrl.replace(/\w+Secret1/, '…'))
  }
})
