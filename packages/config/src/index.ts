export { EnvReader, ConfigError, loadOrExit, type Env } from './env-reader.js'
export { readCommon, LOG_LEVELS, type LogLevel } from './common.js'
export { unreadableFileProblem } from './secret-file.js'
