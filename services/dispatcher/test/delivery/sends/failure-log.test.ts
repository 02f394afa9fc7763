import { pino } from 'pino'
import t from 'tap'
import { logFailures, logRetry } from '../../../src/delivery/sends/failure-log.js'
import type { DeviceTarget } from '../../../src/delivery/claims/resolve-devices.js'
import type { FinalOutcome } from '../../../src/delivery/sends/send-with-retries.js'

t.test('one line per distinct reason and provider text, with device ids and never tokens', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line)) } })
  const targets: DeviceTarget[] = Array.from({ length: 30 }, (_, i) => ({ id: BigInt(i + 1), token: `secret-token-${i}`, platform: 'FCM', environment: null }))
  const outcomes: FinalOutcome[] = targets.map((_, i): FinalOutcome => {
    if (i < 25) return { kind: 'invalid-token', reason: 'registration-token-not-registered', detail: 'Requested entity was not found.', attempts: 1 }
    if (i < 27) return { kind: 'rejected', reason: 'invalid-argument', detail: '<script>x</script>', attempts: 1 }
    return { kind: 'sent', attempts: 1 }
  })
  logFailures({ log, source: { messageId: 'm-1' }, platform: 'FCM', appId: '7' }, targets, outcomes)
  t.equal(lines.length, 2)
  t.match(lines[0], { level: 20, messageId: 'm-1', appId: '7', platform: 'FCM', outcome: 'invalid-token', reason: 'registration-token-not-registered', devices: 25 })
  t.equal((lines[0]?.deviceIds as string[]).length, 20, 'device ids up to 20')
  t.match(lines[1], { level: 40, outcome: 'rejected', reason: 'invalid-argument', detail: '<script>x</script>', devices: 2, deviceIds: ['26', '27'] })
  t.notOk(JSON.stringify(lines).includes('secret-token'), 'no device token in the log')
})

t.test('the same reason with different provider text is two lines: the operator sees each text; expiry is routine (debug)', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line)) } })
  const targets: DeviceTarget[] = [1, 2, 3, 4].map((id) => ({ id: BigInt(id), token: `secret-token-${id}`, platform: 'APNS', environment: null }))
  const outcomes: FinalOutcome[] = [
    { kind: 'rejected', reason: 'BadDeviceToken', detail: 'first text', attempts: 1 },
    { kind: 'rejected', reason: 'BadDeviceToken', detail: 'second text', attempts: 1 },
    { kind: 'rejected', reason: 'BadDeviceToken', detail: 'first text', attempts: 1 },
    { kind: 'expired', reason: 'Expired: validUntil passed before sending', attempts: 0 }
  ]
  logFailures({ log, source: { messageId: 'm-1' }, platform: 'APNS', appId: '7' }, targets, outcomes)
  t.same(lines.map((line) => [line.level, line.detail ?? null, line.devices, line.deviceIds]), [[40, 'first text', 2, ['1', '3']], [40, 'second text', 1, ['2']], [20, null, 1, ['4']]])
})

t.test('a retried attempt is logged at debug with the device id and the provider\'s words, never the token', async (t) => {
  const lines: Array<Record<string, unknown>> = []
  const log = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line)) } })
  const target: DeviceTarget = { id: 42n, token: 'secret-token-42', platform: 'FCM', environment: null }
  logRetry({ log, source: { campaignId: '5', chunk: 1 }, platform: 'FCM', appId: '7' }, target, { kind: 'retry', reason: 'TooManyRequests', detail: 'slow down' }, 2)
  t.equal(lines.length, 1)
  t.match(lines[0], { level: 20, campaignId: '5', chunk: 1, appId: '7', platform: 'FCM', deviceId: '42', attempt: 2, reason: 'TooManyRequests', detail: 'slow down', msg: 'attempt failed; retried' })
  t.notOk(JSON.stringify(lines).includes('secret-token'), 'no device token in the log')
})
