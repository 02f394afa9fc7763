import { useState } from 'preact/hooks'
import { call } from '../../api.ts'
import { detach } from '../../components/data.ts'
import { ErrorNote, Field, Notice } from '../../components/form.tsx'
import { readUserIds, type UserIdFileSummary } from '../../../src/user-ids.ts'
import { campaignPath, count } from './types.ts'

interface Upload { added: number, done: boolean, summary?: UserIdFileSummary }

/**
 * Users by pasting ids or by choosing a file (one id a line, or a CSV whose first column is the
 * id). Both go through readUserIds: the file is read as a stream and sent a batch at a time, the
 * next batch read only once the previous one is stored, so a file of a million ids is never whole
 * in memory and the count below grows as it goes.
 */
export function AddUsers ({ campaignId, users, onAdded }: { campaignId: string, users: number, onAdded: () => void }) {
  const [pasted, setPasted] = useState('')
  const [file, setFile] = useState<File | null>(null)
  const [upload, setUpload] = useState<Upload | null>(null)
  const [error, setError] = useState<unknown>(null)
  const busy = upload !== null && !upload.done

  const send = async (stream: ReadableStream<Uint8Array>) => {
    setError(null)
    let added = 0
    setUpload({ added, done: false })
    try {
      const batches = readUserIds(stream)
      for (;;) {
        const next = await batches.next()
        if (next.done === true) { setUpload({ added, done: true, summary: next.value }); break }
        await call('POST', `${campaignPath(campaignId)}/user/add`, next.value)
        added += next.value.length
        setUpload({ added, done: false })
      }
    } catch (failure) {
      setError(failure)
      setUpload({ added, done: true })
    } finally {
      onAdded()
    }
  }
  const addPasted = async () => {
    await send(new Blob([pasted]).stream())
    setPasted('')
  }
  return (
    <div class='campaign-users'>
      <h3>Users <span class='muted'>({count(users)} in the campaign)</span></h3>
      <div class='row campaign-inputs'>
        <form aria-label='Paste user ids' onSubmit={(event) => { event.preventDefault(); detach(addPasted()) }}>
          <Field label='User ids' hint='one per line, or CSV with the id first'>
            {(id) => <textarea id={id} rows={3} value={pasted} onInput={(event) => { setPasted(event.currentTarget.value) }} />}
          </Field>
          <button type='submit' disabled={busy || pasted.trim() === ''}>Add pasted users</button>
        </form>
        <form aria-label='Upload user ids' onSubmit={(event) => { event.preventDefault(); if (file !== null) detach(send(file.stream())) }}>
          <Field label='File of user ids' hint='CSV or text, any size: read as it is sent'>
            {(id) => <input id={id} type='file' accept='.csv,.txt,text/csv,text/plain' onChange={(event) => { setFile(event.currentTarget.files?.[0] ?? null) }} />}
          </Field>
          <button type='submit' disabled={busy || file === null}>Upload file</button>
        </form>
      </div>
      {upload !== null && (
        <Notice>
          {count(upload.added)} users added{upload.done ? '' : '…'}
          {upload.summary !== undefined && upload.summary.rejected > 0 &&
            ` · ${count(upload.summary.rejected)} lines skipped (a header, or an id over 255 characters) — line ${upload.summary.rejectedLines.join(', ')}${upload.summary.rejected > upload.summary.rejectedLines.length ? ', …' : ''}`}
        </Notice>
      )}
      <ErrorNote error={error} />
    </div>
  )
}
