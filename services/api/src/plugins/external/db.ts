import { createDb, createSecretBox, DbErrorCode, resealLegacySecrets, type Db, type SecretBox } from '@beacon/db'
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

/**
 * The Prisma client and the secret box for provider credentials and developer secrets; the pool
 * ends on close. Before anything is served, values still sealed in the version-1 format (bound to
 * no place) are re-sealed bound to their column and row: idempotent, one conditional update per
 * row, so api instances starting together do not interfere.
 */
export default fp<DbPluginOptions>(async (app, opts) => {
  const db = createDb({ url: opts.url, poolSize: opts.poolSize })
  app.addHook('onClose', async () => { await db.$disconnect() })
  const report = await resealLegacySecrets(db.pool, opts.masterKey)
  const resealed = Object.values(report.resealed).reduce((sum, count) => sum + count, 0)
  // A warning: after the upgrade that introduced version 2 this should never happen again, and a
  // version-1 value appearing later (restored from an old backup?) is worth a look.
  if (resealed > 0) app.log.warn({ resealed: report.resealed }, `re-sealed ${resealed} secret(s) of the version-1 format, now bound to their column and row`)
  for (const place of report.unreadable) {
    app.log.error({ column: place.column, rowId: place.rowId, code: DbErrorCode.SECRET_UNREADABLE },
      'a version-1 sealed secret cannot be opened with MASTER_KEY: it stays unusable until it is uploaded (or rotated) again')
  }
  app.decorate('db', db)
  app.decorate('secrets', createSecretBox(opts.masterKey))
}, { name: 'db' })
