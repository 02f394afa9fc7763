import { useCallback, useState } from 'preact/hooks'
import { call, isPolling, request } from '../../api.ts'
import { detach, useInterval, useLoad } from '../../components/data.ts'
import { ErrorNote } from '../../components/form.tsx'
import { OutcomeTable, useDeviceTokens, type DeviceOutcome } from '../../components/outcomes.tsx'
import type { MessageDetail } from '../messages/message-state.tsx'

interface Counts { sent: number, pending: number, failed: number, total: number }
/** What `/push/message/send` answers: counts per platform and the ids to look the outcome up by. */
export interface SendAnswer { result: { ios: Counts, android: Counts }, messageIds: string[] }
export interface SentTo { appId: string, userId: string, activationId: string | undefined }

const POLL_MS = 700
// Polling is brief: past it, the Messages page shows the outcome whenever it arrives.
const POLL_FOR_MS = 30_000

/**
 * The send answers counts, not devices: each device's outcome (and the provider's reason) is read
 * from the console's outcomes, polled until the message is complete.
 */
export function SendResult ({ to, answer }: { to: SentTo, answer: SendAnswer }) {
  return (
    <section aria-labelledby='send-result'>
      <h2 id='send-result'>Result</h2>
      {answer.messageIds.map((messageId) => <MessageOutcomes key={messageId} to={to} messageId={messageId} answered={answer.result} />)}
    </section>
  )
}

const summary = ({ ios, android }: { ios: Counts, android: Counts }, userId: string) => {
  const total = ios.total + android.total
  if (total === 0) return <>No device of user <code>{userId}</code> to send to.</>
  return <>Sent to {ios.sent + android.sent} of {total} devices ({ios.failed + android.failed} failed, {ios.pending + android.pending} pending).</>
}

function MessageOutcomes ({ to, messageId, answered }: { to: SentTo, messageId: string, answered: SendAnswer['result'] }) {
  const [started] = useState(Date.now)
  // A SYNCHRONOUS send may answer before every device did (the api's sync timeout): the message's
  // detail says when it is complete, and its counts then replace the answer's.
  // The outcomes are read after the detail, never beside it: read beside it, they could be read
  // before the last results were recorded and the detail after the message completed, and the
  // polling, ended by that detail, left a device PENDING on the page for good (the suite saw it).
  // A poll's second read starts after an await, outside its tick: it is marked a poll explicitly.
  const state = useLoad(async () => {
    const poll = isPolling()
    const detail = await request<{ responseObject: MessageDetail }>('GET', `/push/message/${encodeURIComponent(messageId)}/detail`)
    const outcomes = await call<{ outcomeList: DeviceOutcome[] }>('POST', '/admin/console/message/outcomes', { appId: to.appId, messageId, limit: 200 }, { poll })
    return { detail: detail.responseObject, outcomes: outcomes.outcomeList }
  }, [to.appId, messageId])
  // The devices the message was for, to show their masked tokens beside their outcomes.
  const devices = useDeviceTokens(to.appId, to.userId, to.activationId)
  const inTime = Date.now() - started < POLL_FOR_MS
  const waiting = state.value?.detail.completed !== true && inTime
  // A read of the tokens that failed (a busy api's 503) is tried again with the outcomes: else the
  // table named the devices by id only, for good.
  const retryTokens = devices.error !== null && inTime
  const poll = useCallback(() => {
    if (waiting && !state.loading) detach(state.reload())
    if (retryTokens && !devices.loading) detach(devices.reload())
  }, [waiting, retryTokens, state.loading, state.reload, devices.loading, devices.reload])
  useInterval(poll, waiting || retryTokens ? POLL_MS : null)
  const detail = state.value?.detail
  return (
    <>
      <p role='status'>{summary(detail?.result ?? answered, to.userId)}{waiting && <span class='muted'> Waiting for the providers…</span>}</p>
      {detail?.failureReason != null && <p class='error'>The message failed: {detail.failureReason}</p>}
      <p>Message <a href={`#/messages/${encodeURIComponent(to.appId)}/${messageId}`}><code>{messageId}</code></a></p>
      <ErrorNote error={state.error ?? devices.error} />
      {state.value !== undefined && <OutcomeTable outcomes={state.value.outcomes} tokens={devices.value} caption='Per device' />}
    </>
  )
}
