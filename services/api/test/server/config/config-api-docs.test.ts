import { randomBytes } from 'node:crypto'
import t from 'tap'
import { ConfigError, loadConfig } from '../../../src/config.js'

const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/unused',
  MASTER_KEY: randomBytes(32).toString('base64'),
  AUTH_USERNAME: 'admin',
  AUTH_PASSWORD: 'long-enough-password'
}

// guarantee: api-docs-setting
t.test('API_DOCS: on by default, true/false (1/0), anything else refused by name', async (t) => {
  t.equal(loadConfig(base).apiDocs, true)
  for (const [value, expected] of [['false', false], ['0', false], ['FALSE', false], ['true', true], ['1', true]] as const) {
    t.equal(loadConfig({ ...base, API_DOCS: value }).apiDocs, expected, `${value} → ${expected}`)
  }
  try {
    loadConfig({ ...base, API_DOCS: 'off' })
    t.fail('API_DOCS=off accepted')
  } catch (error) {
    t.ok(error instanceof ConfigError)
    t.same((error as ConfigError).problems, ['API_DOCS must be true or false, got "off"'])
  }
})
