export { createDb, type Db, type DbOptions } from './client.js'
export { applyMigrations, readMigrations, defaultMigrationsDir, type Migration } from './migrate.js'
export { createSecretBox, parseMasterKey, MASTER_KEY_RULE, type SecretBox } from './secret-box.js'
export { DbError, DbErrorCode } from './errors.js'
export { Prisma, Platform, ApnsEnvironment, ActivationStatus } from './generated/client.js'
export { InboxMessageType } from './generated/client.js'
export type { Application, Device, DeviceActivation, Developer, InboxMessage } from './generated/client.js'
/** node-postgres's error for a failed statement: its `code` is the SQLSTATE. */
export { DatabaseError } from 'pg'
