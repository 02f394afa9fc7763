import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from './generated/client.js'

export type Db = PrismaClient

export interface DbOptions {
  /** PostgreSQL connection string. */
  url: string
  /** Upper bound of pooled connections for this process. */
  poolSize?: number
}

/** A Prisma client over node-postgres. Call `$disconnect()` on close: it ends the pool. */
export function createDb ({ url, poolSize = 10 }: DbOptions): Db {
  const adapter = new PrismaPg({ connectionString: url, max: poolSize })
  return new PrismaClient({ adapter })
}
