// Case 9 of issue 12: SIGTERM to a dispatcher mid-campaign: it exits within SHUTDOWN_TIMEOUT_MS
// (the work in hand would take longer), and nothing is lost.
import t from 'tap'
import { createCampaign, sendLive, startChaosStack } from './harness/chaos-stack.js'
import { inFlight, receivedBetween, whenReceived, within } from './harness/faults.js'
import { assertLedger, settle, unansweredClaims } from './harness/ledger.js'
import { answerSlowly, seedDevices, usersOf } from './harness/seed.js'

const SHUTDOWN_TIMEOUT_MS = 2000
const DELAY_MS = 1000
// What the process may take beyond its deadline to end (exit handlers, flushing its log, a
// machine busy with another fault case).
const EXIT_SLACK_MS = 2000

// guarantee: dispatcher-graceful-shutdown, dispatcher-sigterm
t.test('SIGTERM mid-campaign: the dispatcher exits within its deadline and another finishes the work', async (t) => {
  const stack = await startChaosStack(t, {
    dispatchers: 1,
    apiEnv: { CAMPAIGN_CHUNK_USERS: '100' },
    dispatcherEnv: { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) }
  })
  const devices = await seedDevices(stack, stack.appId, 1200, { prefix: 'term' })
  // Answers this slow give the first dispatcher several seconds of work in hand (1,200 devices, 506
  // request slots): more than its deadline.
  for (const device of devices) answerSlowly(stack, device, DELAY_MS)
  const campaignId = await createCampaign(stack, usersOf(devices))
  await sendLive(stack, campaignId)
  await whenReceived(stack, 150)
  const window = inFlight(stack, DELAY_MS)
  const signalledAt = Date.now()
  const first = stack.dispatchers[0]!
  // Bounded so that a dispatcher that never exits fails the case instead of hanging it.
  const code = await within(first.stop('SIGTERM'), 30_000, 'the dispatcher after SIGTERM').catch(async (error: Error) => {
    t.fail(error.message)
    return first.stop('SIGKILL')
  })
  const tookMs = Date.now() - signalledAt
  // Requests handed to the providers' clients before SIGTERM may reach the mock after it (a
  // session still connecting, frames still buffered): what may be sent twice is what was
  // unanswered when the dispatcher gave its commands back and exited, counted once all arrived.
  const exitedAt = Date.now()
  const unansweredAtExit = await unansweredClaims(stack, devices)
  // Started only now, so that the claims read above are the first dispatcher's alone: the commands
  // it gave back wait in the stream for this one.
  const second = stack.startDispatcher()
  t.ok(window > 0, `requests were in flight at SIGTERM (${window})`)
  if (code !== 0 || tookMs > SHUTDOWN_TIMEOUT_MS) t.comment(`its last words:\n${first.output().trim().split('\n').slice(-6).join('\n')}`)
  // A dispatcher that reaches its deadline may say so with its exit code; a signal would mean it was killed.
  t.type(code, 'number', `it exited by itself (code ${code})`)
  t.ok(tookMs <= SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS, `it exited ${tookMs} ms after SIGTERM (deadline ${SHUTDOWN_TIMEOUT_MS} ms)`)
  await second

  const scope = { campaignIds: [campaignId] }
  await settle(t, stack, scope, 'the campaign completed', { at: signalledAt, event: 'SIGTERM' })
  // By the mock's clock (printed only: a busy machine delays the signal's handling and the
  // mock's stamps) and, asserted, exactly: the claims the dispatcher left without an answer when
  // it exited, having written every answer it had.
  t.comment(`requests received within the provider delay (±200 ms) before the exit: ${receivedBetween(stack, exitedAt - DELAY_MS - 200, exitedAt + 200)}`)
  await assertLedger(t, stack, devices, scope, {
    maxDuplicates: unansweredAtExit.size,
    bound: 'claims without a recorded answer when the dispatcher exited',
    mayRepeat: { devices: unansweredAtExit, at: 'when the dispatcher exited' }
  })
})
