// `pnpm db:migrate`: applies prisma/migrations to DATABASE_URL (or the file DATABASE_URL_FILE
// names, as the image's entry point and a Kubernetes Job mount it).
import { ConfigError, EnvReader } from '@beacon/config'
import { applyMigrations, defaultMigrationsDir, describeLockHolder } from './migrate.js'

const read = new EnvReader(process.env)
const url = read.secret('DATABASE_URL', { required: true })
try {
  read.done()
} catch (error) {
  console.error(`${(error as ConfigError).message}\nDATABASE_URL must name the PostgreSQL database to migrate`)
  process.exit(1)
}
try {
  const applied = await applyMigrations(url, defaultMigrationsDir, { onLockWait: (holder) => { console.error(describeLockHolder(holder)) } })
  console.log(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`)
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}
