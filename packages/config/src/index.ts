export { EnvReader, ConfigError, loadOrExit, type Env } from './env-reader.js'
export { readCommon, LOG_LEVELS, type LogLevel } from './common.js'
export { databaseUrlSchema, DATABASE_SCHEMA_RULE, type DatabaseUrlSchema } from './database-url.js'
