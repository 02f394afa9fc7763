import { randomBytes } from 'node:crypto'
import { testRunId } from './database.js'

export const testNatsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222'

/**
 * A NATS prefix of its own for one test (streams `<PREFIX>_COMMANDS`, …), under the run id so the
 * end-of-run cleanup can find whatever a crashed test left behind.
 */
export function natsTestPrefix (): string {
  return `t_${testRunId}_${randomBytes(3).toString('hex')}`.toLowerCase()
}

/** The stream-name prefix of every test of a run (natsNames upper-cases the prefix). */
export function natsRunStreamPrefix (runId = testRunId): string {
  return `T_${runId}_`.toUpperCase()
}
