import { pino } from 'pino'
import t from 'tap'
import { logFailures } from '../../../src/delivery/sends/failure-log.js'
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
