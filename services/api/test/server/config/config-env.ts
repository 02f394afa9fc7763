import { randomBytes } from 'node:crypto'
import { ConfigError, loadConfig } from '../../../src/config.js'

/** A valid environment for loadConfig: what each config test changes is on top of it. */
export const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused',
  MASTER_KEY: randomBytes(32).toString('base64'),
  AUTH_USERNAME: 'admin',
  AUTH_PASSWORD: 'long-enough-password'
}

/** The problems loadConfig reports for `env` on top of a valid base ([] when it accepts it). */
export function problemsOf (env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env })
    return []
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return error.problems
  }
}
