import t from 'tap'
import { loadConfig } from '../../../src/config.js'
import { base, problemsOf } from './config-env.js'

t.test('METRICS_PORT, METRICS_HOST, MAX_EVENT_LOOP_DELAY_MS: defaults', async (t) => {
  t.strictSame(loadConfig(base).operations, { metricsPort: null, metricsHost: '127.0.0.1', maxEventLoopDelayMs: 1000 }, '/metrics on the API port; the listener would bind HOST')
  t.strictSame(loadConfig({ ...base, HOST: '0.0.0.0', METRICS_PORT: '9100' }).operations,
    { metricsPort: 9100, metricsHost: '0.0.0.0', maxEventLoopDelayMs: 1000 }, 'METRICS_HOST defaults to HOST')
  t.strictSame(loadConfig({ ...base, METRICS_PORT: '9100', METRICS_HOST: '::1', MAX_EVENT_LOOP_DELAY_MS: '0' }).operations,
    { metricsPort: 9100, metricsHost: '::1', maxEventLoopDelayMs: 0 })
})

// guarantee: metrics-port-differs
t.test('a clear message per bad value', async (t) => {
  t.strictSame(problemsOf({ METRICS_PORT: 'nine' }), ['METRICS_PORT must be an integer from 0 to 65535, got "nine"'])
  t.strictSame(problemsOf({ METRICS_PORT: '70000' }), ['METRICS_PORT must be an integer from 0 to 65535, got "70000"'])
  t.strictSame(problemsOf({ PORT: '8080', METRICS_PORT: '8080' }),
    ['METRICS_PORT must differ from PORT (both are 8080); leave METRICS_PORT unset to serve /metrics on the API port'])
  for (const host of ['http://0.0.0.0', '0.0.0.0:9100', 'a host', '-x']) {
    t.strictSame(problemsOf({ METRICS_HOST: host }), ['METRICS_HOST must be an IP address or host name to listen on (no scheme, port or path)'], host)
  }
  t.strictSame(problemsOf({ MAX_EVENT_LOOP_DELAY_MS: '-1' }), ['MAX_EVENT_LOOP_DELAY_MS must be an integer from 0 to 60000, got "-1"'])
})
