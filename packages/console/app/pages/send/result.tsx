import { useCallback, useState } from 'preact/hooks'
import { call } from '../../api.ts'
import { detach, useInterval, useLoad } from '../../components/data.ts'
import { ErrorNote } from '../../components/form.tsx'
import { OutcomeTable, type DeviceOutcome } from '../../components/outcomes.tsx'

interface Counts { sent: number, pending: number, failed: number, total: number }
/** What `/push/message/send` answers: counts per platform and the ids to look the outcome up by. */
export interface SendAnswer { result: { ios: Counts, android: Counts }, messageIds: string[] }
export interface SentTo { appId: string, userId: string, activationId: string | undefined }

const POLL_MS = 700
// Polling is brief: past it, the Messages page shows the outcome whenever it arrives.
const POLL_FOR_MS = 30_000

/**
 * The send answers counts, not devices: each device's outcome (and the provider's reason) is read
 * from the console's outcomes, polled while any is still PENDING.
 */
export function SendResult ({ to, answer }: { to: SentTo, answer: SendAnswer }) {
  const { ios, android } = answer.result
  const total = ios.total + android.total
  return (
    <section aria-labelledby='send-result'>
      <h2 id='send-result'>Result</h2>
      <p role='status'>
        {total === 0
          ? <>No device of user <code>{to.userId}</code> to send to.</>
          : <>Sent to {ios.sent + android.sent} of {total} devices ({ios.failed + android.failed} failed, {ios.pending + android.pending} pending).</>}
      </p>
      {answer.messageIds.map((messageId) => <MessageOutcomes key={messageId} to={to} messageId={messageId} />)}
    </section>
  )
}

function MessageOutcomes ({ to, messageId }: { to: SentTo, messageId: string }) {
  const [started] = useState(Date.now)
  const outcomes = useLoad(() => call<{ outcomeList: DeviceOutcome[] }>('POST', '/admin/console/message/outcomes', { appId: to.appId, messageId, limit: 200 }), [to.appId, messageId])
  // The devices the message was for, to show their masked tokens beside their outcomes.
  const devices = useLoad(async () => {
    const found = await call<{ deviceList: Array<{ deviceId: string, pushTokenMasked: string }> }>('POST', '/admin/console/device/search', {
      appId: to.appId, userId: to.userId, ...(to.activationId === undefined ? {} : { activationId: to.activationId }), limit: 200
    })
    return new Map(found.deviceList.map((device) => [device.deviceId, device.pushTokenMasked]))
  }, [to.appId, to.userId, to.activationId])
  const list = outcomes.value?.outcomeList ?? []
  const waiting = list.some((outcome) => outcome.status === 'PENDING') && Date.now() - started < POLL_FOR_MS
  const poll = useCallback(() => { if (!outcomes.loading) detach(outcomes.reload()) }, [outcomes.loading, outcomes.reload])
  useInterval(poll, waiting ? POLL_MS : null)
  return (
    <>
      <p>Message <a href={`#/messages/${encodeURIComponent(to.appId)}/${messageId}`}><code>{messageId}</code></a>{waiting && <span class='muted'> — waiting for the providers…</span>}</p>
      <ErrorNote error={outcomes.error ?? devices.error} />
      {outcomes.value !== undefined && <OutcomeTable outcomes={list} tokens={devices.value} caption='Per device' />}
    </>
  )
}
