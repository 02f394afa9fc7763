// `pnpm db:migrate`: applies prisma/migrations to DATABASE_URL.
import { applyMigrations } from './migrate.js'

const url = process.env.DATABASE_URL
if (url === undefined || url === '') {
  console.error('DATABASE_URL is not set: it must name the PostgreSQL database to migrate')
  process.exit(1)
}
try {
  const applied = await applyMigrations(url)
  console.log(applied.length === 0 ? 'database is up to date' : `applied: ${applied.join(', ')}`)
} catch (error) {
  console.error((error as Error).message)
  process.exit(1)
}
