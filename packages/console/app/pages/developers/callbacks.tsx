import { useState } from 'preact/hooks'
import { call } from '../../api.ts'
import { detach, useLoad } from '../../components/data.ts'
import { ErrorNote, formatTime } from '../../components/form.tsx'

interface CallbackRecord {
  eventId: string
  event: string
  requestId: string
  status: 'PENDING' | 'DELIVERED' | 'FAILED'
  attempts: number
  lastStatus: number | null
  lastError: string | null
  timestampCreated: string
  timestampLastAttempt: string | null
}

/** A developer's recent callbacks, newest first, a page at a time. */
export function Callbacks ({ developerId }: { developerId: number }) {
  const [more, setMore] = useState<{ list: CallbackRecord[], cursor: string | null }>({ list: [], cursor: null })
  const first = useLoad(async () => {
    const page = await call<{ callbackList: CallbackRecord[], nextCursor: string | null }>('POST', '/admin/console/callback/list', { developerId, limit: 20 })
    setMore({ list: [], cursor: page.nextCursor })
    return page.callbackList
  }, [developerId])
  const next = async () => {
    const page = await call<{ callbackList: CallbackRecord[], nextCursor: string | null }>('POST', '/admin/console/callback/list', { developerId, limit: 20, cursor: more.cursor })
    setMore({ list: [...more.list, ...page.callbackList], cursor: page.nextCursor })
  }
  const rows = [...first.value ?? [], ...more.list]
  return (
    <section aria-label='Recent callbacks'>
      <h2>Recent callbacks</h2>
      <ErrorNote error={first.error} />
      {rows.length === 0 && !first.loading && <p class='muted'>No callbacks yet.</p>}
      {rows.length > 0 && (
        <table>
          <thead><tr><th scope='col'>Event</th><th scope='col'>Request</th><th scope='col'>Status</th><th scope='col'>Attempts</th><th scope='col'>Last answer</th><th scope='col'>Created</th><th scope='col'>Last attempt</th></tr></thead>
          <tbody>
            {rows.map((record) => (
              <tr key={record.eventId}>
                <td>{record.event}</td>
                <td class='mono'>{record.requestId}</td>
                <td class={`status-${record.status}`}>{record.status}</td>
                <td>{record.attempts}</td>
                <td>{record.lastStatus ?? record.lastError ?? '—'}</td>
                <td>{formatTime(record.timestampCreated)}</td>
                <td>{formatTime(record.timestampLastAttempt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <div class='row'>
        <button type='button' class='secondary' onClick={() => { detach(first.reload()) }}>Refresh</button>
        {more.cursor !== null && <button type='button' class='secondary' onClick={() => { detach(next()) }}>More</button>}
      </div>
    </section>
  )
}
