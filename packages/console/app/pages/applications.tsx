import { useState } from 'preact/hooks'
import { call } from '../api.ts'
import { listApplications, rememberApplication, type Application } from '../components/applications.tsx'
import { useLoad } from '../components/data.ts'
import { ActionForm, ErrorNote, Field, Notice } from '../components/form.tsx'
import { ApplicationSettings } from './applications/settings.tsx'

const settingsPath = (appId: string | number) => `#/applications/${encodeURIComponent(String(appId))}`

/** The applications, a form to create one, and the settings of the one named by `#/applications/<appId>`. */
export function ApplicationsPage ({ path }: { path: string }) {
  const applications = useLoad(listApplications, [])
  const chosen = path.startsWith('/applications/') ? decodeURIComponent(path.slice('/applications/'.length)) : null
  const list = applications.value ?? []
  return (
    <>
      <section aria-labelledby='applications-list'>
        <h2 id='applications-list'>All applications</h2>
        <ErrorNote error={applications.error} />
        {applications.value !== undefined && list.length === 0
          ? <p class='muted'>No application yet: create the first one below.</p>
          : <ApplicationTable list={list} chosen={chosen} />}
      </section>
      {chosen !== null && (
        <ApplicationSettings
          key={chosen}
          appId={chosen}
          application={list.find((app) => String(app.appId) === chosen)}
          onChanged={async () => { await applications.reload() }}
          onRemoved={async () => {
            await applications.reload()
            location.hash = '#/applications'
          }}
        />
      )}
      <CreateApplication onCreated={async (appId) => {
        await applications.reload()
        location.hash = settingsPath(appId)
      }}
      />
    </>
  )
}

const configured = (yes: boolean | null | undefined) =>
  yes === true ? <span class='status-ok'>Configured</span> : <span class='muted'>Not configured</span>

function ApplicationTable ({ list, chosen }: { list: Application[], chosen: string | null }) {
  return (
    <table>
      <thead>
        <tr><th scope='col'>Application id</th><th scope='col'>Name</th><th scope='col'>Carrier domain</th><th scope='col'>APNs</th><th scope='col'>FCM</th><th scope='col'><span class='visually-hidden'>Actions</span></th></tr>
      </thead>
      <tbody>
        {list.map((app) => (
          <tr key={String(app.appId)} aria-current={String(app.appId) === chosen ? 'true' : undefined}>
            <td><code>{String(app.appId)}</code></td>
            <td>{app.appName}</td>
            <td>{app.carrierDomain ?? <span class='muted'>—</span>}</td>
            <td>{configured(app.apns)}</td>
            <td>{configured(app.fcm)}</td>
            <td class='actions'>
              <a href={settingsPath(app.appId)} onClick={() => rememberApplication(String(app.appId))}>Settings of {app.appName}</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function CreateApplication ({ onCreated }: { onCreated: (appId: string | number) => Promise<void> }) {
  const [appId, setAppId] = useState('')
  const [appName, setAppName] = useState('')
  const [carrierDomain, setCarrierDomain] = useState('')
  const [created, setCreated] = useState<string | null>(null)
  const create = async () => {
    setCreated(null)
    // Optional fields are left out when empty: the api refuses an empty name or domain.
    const answer = await call<{ appId: string | number }>('POST', '/admin/app/create', {
      appId,
      ...(appName.trim() === '' ? {} : { appName }),
      ...(carrierDomain.trim() === '' ? {} : { carrierDomain: carrierDomain.trim() })
    })
    setCreated(String(answer.appId))
    setAppId('')
    setAppName('')
    setCarrierDomain('')
    await onCreated(answer.appId)
  }
  return (
    <section aria-labelledby='create-application'>
      <h2 id='create-application'>Create an application</h2>
      <ActionForm label='Create an application' submit='Create application' action={create}>
        <Field label='Application id' hint='PowerAuth application id: a number or text'>
          {(id) => <input id={id} required value={appId} onInput={(e) => setAppId(e.currentTarget.value)} />}
        </Field>
        <Field label='Name' hint='Optional'>
          {(id) => <input id={id} value={appName} onInput={(e) => setAppName(e.currentTarget.value)} />}
        </Field>
        <Field label='Carrier domain' hint='Optional, e.g. carrier.example'>
          {(id) => <input id={id} value={carrierDomain} onInput={(e) => setCarrierDomain(e.currentTarget.value)} />}
        </Field>
      </ActionForm>
      {created !== null && <Notice>Application {created} created: upload its APNs and FCM keys above.</Notice>}
    </section>
  )
}
