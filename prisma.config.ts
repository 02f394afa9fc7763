// Prisma 7 reads the connection from here, not from schema.prisma. Only the CLI uses this file
// (generate/validate/format); the services build their own client in packages/db.
import { defineConfig } from 'prisma/config'

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/beacon' }
})
