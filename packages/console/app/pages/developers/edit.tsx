import { useState } from 'preact/hooks'
import { call } from '../../api.ts'
import { ActionForm, Field } from '../../components/form.tsx'
import { appIdsOf, listOf, type Developer } from './types.ts'

/** A developer's grants (applications, carrier domains) and callback URL: each list replaces the old one. */
export function EditDeveloper ({ developer, onSaved }: { developer: Developer, onSaved: () => void }) {
  const [applications, setApplications] = useState(developer.applications.map((app) => String(app.appId)).join(', '))
  const [carriers, setCarriers] = useState([...new Set(developer.applications.map((app) => app.carrierDomain).filter((c) => c !== null))].join(', '))
  const [callbackUrl, setCallbackUrl] = useState(developer.callbackUrl ?? '')
  const save = async () => {
    await call('PUT', '/admin/developer/update', {
      id: developer.id,
      applications: appIdsOf(applications),
      carriers: listOf(carriers),
      callbackUrl: callbackUrl.trim() === '' ? null : callbackUrl.trim()
    })
    onSaved()
  }
  return (
    <ActionForm label={`Grants of ${developer.name}`} submit='Save grants' action={save}>
      <Field label='Applications' hint='app ids, comma-separated'>{(id) => <input id={id} value={applications} onInput={(e) => setApplications(e.currentTarget.value)} />}</Field>
      <Field label='Carrier domains' hint='comma-separated'>{(id) => <input id={id} value={carriers} onInput={(e) => setCarriers(e.currentTarget.value)} />}</Field>
      <Field label='Callback URL' hint='empty: no callbacks'>{(id) => <input id={id} type='url' value={callbackUrl} onInput={(e) => setCallbackUrl(e.currentTarget.value)} />}</Field>
    </ActionForm>
  )
}
