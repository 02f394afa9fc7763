import { checkSchemaInUse, createDb, createSecretBox, DbErrorCode, querySchemaCreators, upgradeLegacySecretsOnce, type Db, type SchemaCreators, type SecretBox, type UpgradedBefore, type UpgradedNow } from '@beacon/db'
import type { FastifyBaseLogger } from 'fastify'
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
  groupSpacingMs: number
  connectTimeoutMs: number
  queryTimeoutMs: number
  masterKey: Buffer
}

/**
 * The Prisma client and the secret box for provider credentials and developer secrets; the pool
 * ends on close. Before anything is served: a refusal to start when Beacon's statements and its Prisma
 * queries would reach different schemas (`checkSchemaInUse`); the one-time upgrade from the version-1 format (bound
 * to no place): the first start after the release re-seals those values bound to their column and
 * row and marks the database (several instances may start at once: one does it); every later start
 * refuses version-1 values and names each in an error line, since one found then may have been
 * planted from an old backup into another developer's or application's row. Then a warning for
 * each schema of its search path in which other roles may create objects (`querySchemaCreators`): a
 * warning, not a refusal, so that an installation on a database made before PostgreSQL 15 keeps
 * starting while its operator revokes the grant.
 */
export default fp<DbPluginOptions>(async (app, opts) => {
  const db = createDb({ url: opts.url, poolSize: opts.poolSize, groupSpacingMs: opts.groupSpacingMs, connectTimeoutMs: opts.connectTimeoutMs, queryTimeoutMs: opts.queryTimeoutMs })
  app.addHook('onClose', async () => { await db.$disconnect() })
  await checkSchemaInUse(db.pool, db.schema)
  const report = await upgradeLegacySecretsOnce(db.pool, opts.masterKey)
  if (report.upgradedNow) logUpgrade(app.log, report)
  else logRefused(app.log, report)
  for (const creators of await querySchemaCreators(db.pool)) logSchemaCreators(app.log, creators)
  app.decorate('db', db)
  app.decorate('secrets', createSecretBox(opts.masterKey))
}, { name: 'db' })

function logUpgrade (log: FastifyBaseLogger, report: UpgradedNow) {
  const resealed = Object.values(report.resealed).reduce((sum, count) => sum + count, 0)
  log.warn({ resealed: report.resealed },
    `re-sealed ${resealed} secret(s) of the version-1 format, now bound to their column and row; from now on version-1 values are refused`)
  for (const place of report.unreadable) {
    log.error({ column: place.column, rowId: place.rowId, code: DbErrorCode.SECRET_UNREADABLE },
      'a version-1 sealed secret cannot be opened with MASTER_KEY: it stays unusable until it is uploaded (or rotated) again')
  }
}

function logRefused (log: FastifyBaseLogger, report: UpgradedBefore) {
  if (report.markRestored !== null) {
    log.warn({ reason: report.markRestored }, 'the mark of the one-time upgrade of sealed secrets was missing or unset: set again, version-1 values stay refused')
  }
  for (const place of report.refused) {
    log.error({ column: place.column, rowId: place.rowId, code: DbErrorCode.SECRET_LEGACY_FORMAT },
      'a sealed secret of the version-1 format, found after the one-time upgrade, is refused and not re-sealed: ' +
      'upload the application\'s credentials again or rotate the developer\'s secret')
  }
}

/** An SQL identifier as the operator would paste it into psql. */
function quoted (identifier: string) {
  return `"${identifier.replaceAll('"', '""')}"`
}

function logSchemaCreators (log: FastifyBaseLogger, creators: SchemaCreators) {
  const schema = quoted(creators.schema)
  const grantees = [...creators.public ? ['PUBLIC'] : [], ...creators.roles.map(quoted)]
  // CASCADE: a grant made WITH GRANT OPTION and passed on fails a plain REVOKE as a whole.
  const fixes = [
    ...creators.owner === null ? [] : [`as a superuser, ALTER SCHEMA ${schema} OWNER TO Beacon's role (or trust ${quoted(creators.owner)} and its members)`],
    ...grantees.length > 0 ? [`as the schema's owner, REVOKE CREATE ON SCHEMA ${schema} FROM ${grantees.join(', ')} CASCADE`] : []
  ]
  const who = [...grantees, ...creators.owner === null ? [] : [`${quoted(creators.owner)} (its owner)`]]
  log.warn({ schemaCreators: creators },
    `roles other than Beacon's may create objects in schema ${schema} of its search path (${who.join(', ')}): ` +
    `a function planted there can run as Beacon's role; ${fixes.join('; ')}`)
}
