import { useState } from 'preact/hooks'
import { useSelectedApplication } from '../components/applications.tsx'
import { detach } from '../components/data.ts'
import { useKeysetList } from '../components/keyset.ts'
import { ErrorNote, Field } from '../components/form.tsx'
import { DeviceTable, type RegisteredDevice } from './devices/device-table.tsx'

/** An application's devices of a user or of an activation, a page at a time, and their removal. */
export function DevicesPage (_props: { path: string }) {
  const { appId, picker } = useSelectedApplication()
  const [userId, setUserId] = useState('')
  const [activationId, setActivationId] = useState('')
  // The search that ran: typing does not reload the list, submitting does.
  const [search, setSearch] = useState<{ userId?: string, activationId?: string } | null>(null)
  const [formError, setFormError] = useState<unknown>(null)
  const devices = useKeysetList<RegisteredDevice>('/admin/console/device/search', 'deviceList',
    search === null || appId === '' ? null : { appId, ...search })
  const find = (event: Event) => {
    event.preventDefault()
    const user = userId.trim()
    const activation = activationId.trim()
    if (user === '' && activation === '') {
      setFormError(new Error('Give a user id or an activation id (or both).'))
      return
    }
    setFormError(null)
    setSearch({ ...(user === '' ? {} : { userId: user }), ...(activation === '' ? {} : { activationId: activation }) })
  }
  return (
    <>
      <section aria-labelledby='find-devices'>
        <h2 id='find-devices'>Find devices</h2>
        <form aria-label='Find devices' onSubmit={find}>
          {picker}
          <Field label='User id'>{(id) => <input id={id} value={userId} onInput={(e) => setUserId(e.currentTarget.value)} />}</Field>
          <Field label='Activation id'>{(id) => <input id={id} value={activationId} onInput={(e) => setActivationId(e.currentTarget.value)} />}</Field>
          <button type='submit' disabled={appId === ''}>Find devices</button>
          <ErrorNote error={formError} />
        </form>
      </section>
      {search !== null && (
        <section aria-labelledby='found-devices'>
          <h2 id='found-devices'>Devices {search.userId !== undefined && <>of user <code>{search.userId}</code></>} {search.activationId !== undefined && <>of activation <code>{search.activationId}</code></>}</h2>
          <ErrorNote error={devices.error} />
          {!devices.loading && devices.error === null && devices.entries.length === 0
            ? <p class='muted'>No device found.</p>
            : <DeviceTable appId={appId} devices={devices.entries} onRemoved={async () => { await devices.reload() }} />}
          {devices.hasMore && <button type='button' class='secondary more' disabled={devices.loading} onClick={() => { detach(devices.more()) }}>More devices</button>}
          {devices.loading && <p class='muted' aria-live='polite'>Loading…</p>}
        </section>
      )}
    </>
  )
}
