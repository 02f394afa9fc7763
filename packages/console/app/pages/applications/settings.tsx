import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { call, request } from '../../api.ts'
import type { Application } from '../../components/applications.tsx'
import { detach, useLoad } from '../../components/data.ts'
import { ActionForm, ErrorNote, Field, Notice } from '../../components/form.tsx'
import { ApnsUpload, FcmUpload } from './credentials.tsx'
import { RemoveApplication } from './remove.tsx'

/** The public parts of the provider settings (`/admin/app/detail`): the keys themselves are never answered. */
export interface ApplicationDetail {
  application: Application
  apnsBundle?: string | null
  apnsKeyId?: string | null
  apnsTeamId?: string | null
  apnsEnvironment?: string | null
  fcmProjectId?: string | null
}

/** One application's carrier domain and APNs and FCM credentials. */
export function ApplicationSettings ({ appId, application, onChanged, onRemoved }: { appId: string, application: Application | undefined, onChanged: () => Promise<void>, onRemoved: () => Promise<void> }) {
  const detail = useLoad(() => call<ApplicationDetail>('POST', '/admin/app/detail', { appId, includeApns: true, includeFcm: true }), [appId])
  const changed = async () => { await Promise.all([detail.reload(), onChanged()]) }
  const shown = detail.value
  return (
    <section aria-labelledby='application-settings'>
      <h2 id='application-settings'>Settings of {application?.appName ?? appId} <code>({appId})</code></h2>
      <ErrorNote error={detail.error} />
      {shown !== undefined && (
        <>
          <CarrierDomain appId={appId} current={shown.application.carrierDomain ?? null} onChanged={changed} />
          <div class='credentials'>
            <Provider name='APNs' configured={shown.application.apns === true} removePath={`/admin/app/apns?appId=${encodeURIComponent(appId)}`} onChanged={changed}>
              {shown.application.apns === true && (
                <dl>
                  <dt>Bundle id</dt><dd>{shown.apnsBundle}</dd>
                  <dt>Key id</dt><dd>{shown.apnsKeyId}</dd>
                  <dt>Team id</dt><dd>{shown.apnsTeamId}</dd>
                  <dt>Environment</dt><dd>{shown.apnsEnvironment ?? 'devices decide'}</dd>
                </dl>
              )}
              <ApnsUpload appId={appId} replacing={shown.application.apns === true} onSaved={changed} />
            </Provider>
            <Provider name='FCM' configured={shown.application.fcm === true} removePath={`/admin/app/fcm?appId=${encodeURIComponent(appId)}`} onChanged={changed}>
              {shown.application.fcm === true && <dl><dt>Project id</dt><dd>{shown.fcmProjectId}</dd></dl>}
              <FcmUpload appId={appId} replacing={shown.application.fcm === true} onSaved={changed} />
            </Provider>
          </div>
          <RemoveApplication appId={appId} onRemoved={onRemoved} />
        </>
      )}
    </section>
  )
}

function Provider ({ name, configured, removePath, onChanged, children }: {
  name: string, configured: boolean, removePath: string, onChanged: () => Promise<void>, children: ComponentChildren
}) {
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const remove = async () => {
    if (!confirm(`Remove the ${name} credentials? Nothing can be sent through ${name} until new ones are uploaded.`)) return
    setBusy(true)
    setError(null)
    try {
      await request('DELETE', removePath)
      await onChanged()
    } catch (failure) { setError(failure) } finally { setBusy(false) }
  }
  return (
    <div class='provider' aria-label={`${name} credentials`} role='group'>
      <h3>{name}: {configured ? <span class='status-ok'>configured</span> : <span class='muted'>not configured</span>}</h3>
      {children}
      {configured && <button type='button' class='danger' disabled={busy} onClick={() => { detach(remove()) }}>Remove {name} credentials</button>}
      <ErrorNote error={error} />
    </div>
  )
}

function CarrierDomain ({ appId, current, onChanged }: { appId: string, current: string | null, onChanged: () => Promise<void> }) {
  const [domain, setDomain] = useState(current ?? '')
  const [saved, setSaved] = useState(false)
  const save = async () => {
    setSaved(false)
    // An empty field removes the domain (null), as the api documents.
    await call('PUT', '/admin/app/carrier', { appId, carrierDomain: domain.trim() === '' ? null : domain.trim() })
    setSaved(true)
    await onChanged()
  }
  return (
    <ActionForm label='Carrier domain' submit='Save carrier domain' action={save}>
      <Field label='Carrier domain' hint='Developers address users as username@domain; empty removes it'>
        {(id) => <input id={id} value={domain} onInput={(e) => setDomain(e.currentTarget.value)} />}
      </Field>
      {saved && <Notice>Carrier domain saved.</Notice>}
    </ActionForm>
  )
}
