import { useSelectedApplication } from '../components/applications.tsx'
import { detach } from '../components/data.ts'
import { ErrorNote, formatTime } from '../components/form.tsx'
import { useKeysetList } from '../components/keyset.ts'
import { countsOf, messageState, type MessageDetail } from './messages/message-state.tsx'
import { MessageOutcomesView } from './messages/outcomes.tsx'

/** `#/messages`: an application's recent messages; `#/messages/<appId>/<id>`: one message's device outcomes. */
export function MessagesPage ({ path }: { path: string }) {
  const [appIdPart, messageId] = path.split('/').slice(2)
  // The address is the page's input: only a message id's characters reach a request path (`..` in
  // `/push/message/../detail` would name another route).
  if (appIdPart !== undefined && messageId !== undefined) {
    if (!/^[0-9A-Za-z-]+$/.test(messageId)) return <p class='error' role='alert'>Not a message id: {messageId}</p>
    return <MessageOutcomesView appId={decodeURIComponent(appIdPart)} messageId={messageId} />
  }
  return <MessageList />
}

function MessageList () {
  const { appId, picker } = useSelectedApplication()
  const messages = useKeysetList<MessageDetail>('/admin/console/message/list', 'messageList', appId === '' ? null : { appId })
  return (
    <section aria-labelledby='recent-messages'>
      <h2 id='recent-messages'>Recent messages</h2>
      <div class='row'>{picker}<button type='button' class='secondary' onClick={() => { detach(messages.reload()) }}>Refresh</button></div>
      <ErrorNote error={messages.error} />
      {!messages.loading && messages.error === null && messages.entries.length === 0
        ? <p class='muted'>No message sent yet.</p>
        : (
          <table>
            <thead>
              <tr><th scope='col'>Created</th><th scope='col'>User</th><th scope='col'>Activation</th><th scope='col'>State</th><th scope='col'>iOS (APNs)</th><th scope='col'>Android (FCM)</th><th scope='col'><span class='visually-hidden'>Outcomes</span></th></tr>
            </thead>
            <tbody>
              {messages.entries.map((message) => (
                <tr key={message.id}>
                  <td>{formatTime(message.timestampCreated)}</td>
                  <td><code>{message.userId}</code></td>
                  <td>{message.activationId === null ? <span class='muted'>all</span> : <code>{message.activationId}</code>}</td>
                  <td>{messageState(message)}</td>
                  <td>{countsOf(message.result.ios)}</td>
                  <td>{countsOf(message.result.android)}</td>
                  <td class='actions'><a href={`#/messages/${encodeURIComponent(appId)}/${message.id}`}>Outcomes<span class='visually-hidden'> of message {message.id}</span></a></td>
                </tr>
              ))}
            </tbody>
          </table>
          )}
      {messages.hasMore && <button type='button' class='secondary more' disabled={messages.loading} onClick={() => { detach(messages.more()) }}>More messages</button>}
      {messages.loading && <p class='muted' aria-live='polite'>Loading…</p>}
    </section>
  )
}
