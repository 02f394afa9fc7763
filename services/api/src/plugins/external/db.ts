import { createDb, createSecretBox, type Db, type SecretBox } from '@beacon/db'
import fp from 'fastify-plugin'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    secrets: SecretBox
  }
}

export interface DbPluginOptions {
  url: string
  poolSize: number
  masterKey: Buffer
}

/** The Prisma client and the secret box for provider credentials; the pool ends on close. */
export default fp<DbPluginOptions>(async (app, opts) => {
  const db = createDb({ url: opts.url, poolSize: opts.poolSize })
  app.decorate('db', db)
  app.decorate('secrets', createSecretBox(opts.masterKey))
  app.addHook('onClose', async () => { await db.$disconnect() })
}, { name: 'db' })
