import { request } from '../../api.ts'
import { detach, useLoad } from '../../components/data.ts'
import { ErrorNote, formatTime } from '../../components/form.tsx'
import { useKeysetList } from '../../components/keyset.ts'
import { OutcomeTable, useDeviceTokens, type DeviceOutcome } from '../../components/outcomes.tsx'
import { countsOf, messageState, type MessageDetail } from './message-state.tsx'

/** One message: its counts and state, and what each of its devices got, a page at a time. */
export function MessageOutcomesView ({ appId, messageId }: { appId: string, messageId: string }) {
  const detail = useLoad(async () => (await request<{ responseObject: MessageDetail }>('GET', `/push/message/${encodeURIComponent(messageId)}/detail`)).responseObject, [messageId])
  const outcomes = useKeysetList<DeviceOutcome>('/admin/console/message/outcomes', 'outcomeList', { appId, messageId }, 50)
  const message = detail.value
  const tokens = useDeviceTokens(appId, message?.userId, message?.activationId)
  // Refresh reads the outcomes after the detail, so that it never shows a message complete beside
  // a device still PENDING (the first load reads them side by side: Refresh is the way to catch up).
  const refresh = () => { detach(detail.reload().then(outcomes.reload)) }
  return (
    <section aria-labelledby='message-outcomes'>
      <p><a href='#/messages'>← All messages</a></p>
      <h2 id='message-outcomes'>Message <code>{messageId}</code></h2>
      <ErrorNote error={detail.error} />
      {message !== undefined && (
        <dl class='facts'>
          <dt>Application</dt><dd><code>{String(message.appId)}</code></dd>
          <dt>User</dt><dd><code>{message.userId}</code></dd>
          <dt>Activation</dt><dd>{message.activationId ?? 'all of the user\'s'}</dd>
          <dt>State</dt><dd>{messageState(message)}</dd>
          <dt>Created</dt><dd>{formatTime(message.timestampCreated)}</dd>
          <dt>Completed</dt><dd>{formatTime(message.timestampCompleted)}</dd>
          <dt>iOS (APNs)</dt><dd>{countsOf(message.result.ios)}</dd>
          <dt>Android (FCM)</dt><dd>{countsOf(message.result.android)}</dd>
        </dl>
      )}
      <ErrorNote error={outcomes.error ?? tokens.error} />
      {outcomes.entries.length > 0 || !outcomes.loading ? <OutcomeTable outcomes={outcomes.entries} tokens={tokens.value} caption='Device outcomes' /> : null}
      <div class='row'>
        {outcomes.hasMore && <button type='button' class='secondary' disabled={outcomes.loading} onClick={() => { detach(outcomes.more()) }}>More outcomes</button>}
        <button type='button' class='secondary' onClick={refresh}>Refresh</button>
      </div>
    </section>
  )
}
