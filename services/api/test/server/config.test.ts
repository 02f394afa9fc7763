import { randomBytes } from 'node:crypto'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'

const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused',
  MASTER_KEY: randomBytes(32).toString('base64'),
  AUTH_USERNAME: 'admin',
  AUTH_PASSWORD: 'long-enough-password'
}

/** The problems loadConfig reports for `env` on top of a valid base ([] when it accepts it). */
function problemsOf (env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env })
    return []
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return error.problems
  }
}

t.test('AUTH_DISABLED=true only on a loopback HOST', async (t) => {
  const open = { AUTH_DISABLED: 'true', AUTH_USERNAME: '', AUTH_PASSWORD: '' }
  for (const host of ['0.0.0.0', '::', '10.1.2.3', '192.168.0.10', 'beacon.example.com', '128.0.0.1']) {
    t.same(problemsOf({ ...open, HOST: host }), [
      `AUTH_DISABLED=true is only allowed when the api listens on a loopback address (HOST 127.0.0.1, ::1 or localhost), not HOST=${host}`
    ], `refused on ${host}`)
  }
  for (const host of ['127.0.0.1', '::1', 'localhost', 'LOCALHOST', '127.45.6.7', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) {
    t.same(problemsOf({ ...open, HOST: host }), [], `accepted on ${host}`)
  }
  t.equal(loadConfig({ ...base, ...open }).auth, null, 'accepted with the default HOST (127.0.0.1)')
  t.same(problemsOf({ HOST: '0.0.0.0' }), [], 'with authentication any HOST is fine')

  const problems = problemsOf({ ...open, HOST: '0.0.0.0', PORT: 'x', LOG_LEVEL: 'loud' })
  t.equal(problems.length, 3, 'listed with the other problems')
  t.match(problems.join('\n'), /AUTH_DISABLED=true is only allowed[^\n]*HOST=0\.0\.0\.0/)
})
