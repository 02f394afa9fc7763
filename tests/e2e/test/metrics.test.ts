import t from 'tap'
import { androidToken, iosToken, startStack } from './stack.js'

/** The sum of a scrape's samples named `name` whose labels include every `label="value"` given. */
function sampleSum (scrape: string, name: string, labels: string[]): number {
  let sum = 0
  for (const line of scrape.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    const [series, value] = [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]
    if (labels.every((label) => series.includes(label))) sum += value
  }
  return sum
}

// guarantee: e2e-dispatcher-metrics
t.test('after sends through both providers, the dispatcher\'s /metrics shows their sends and request latencies', async (t) => {
  const stack = await startStack(t)
  await stack.configureApplication(3)
  const userId = 'metrics-e2e-user'
  const tokens = { ios: [iosToken(), iosToken()], android: [androidToken(), androidToken()] }
  for (const token of tokens.ios) await stack.registerDevice(3, { token, platform: 'ios', userId })
  for (const token of tokens.android) await stack.registerDevice(3, { token, platform: 'android', userId })

  const response = await stack.call('POST', '/push/message/send', { requestObject: { appId: 3, message: { userId, body: { title: 'Metrics', body: 'counted' } } } })
  t.equal(response.status, 200, JSON.stringify(response.body))
  t.match(response.body.responseObject.result, { ios: { sent: 2 }, android: { sent: 2 } })

  const scrape = await fetch(`${stack.dispatchers[0]!.opsUrl}/metrics`)
  t.equal(scrape.status, 200)
  const text = await scrape.text()
  for (const provider of ['apns', 'fcm']) {
    t.equal(sampleSum(text, 'beacon_sends_total', [`provider="${provider}"`, 'outcome="sent"', 'reason="none"']), 2, `${provider}: both devices counted as sent`)
    t.equal(sampleSum(text, 'beacon_provider_request_duration_seconds_bucket', [`provider="${provider}"`, 'result="ok"', 'le="+Inf"']), 2, `${provider}: one latency observation per request`)
    t.ok(sampleSum(text, 'beacon_provider_request_duration_seconds_bucket', [`provider="${provider}"`, 'result="ok"', 'le="10"']) > 0, `${provider}: latencies fall in finite buckets`)
  }
  for (const token of [...tokens.ios, ...tokens.android, userId]) t.notOk(text.includes(token), 'no token or user id in the labels')
})
