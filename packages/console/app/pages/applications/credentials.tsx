import { useState } from 'preact/hooks'
import { call, fileBase64 } from '../../api.ts'
import { detach } from '../../components/data.ts'
import { ActionForm, Field, Notice } from '../../components/form.tsx'

interface UploadProps { appId: string, replacing: boolean, onSaved: () => Promise<void> }

const chosenFile = (input: HTMLInputElement) => input.files?.[0] ?? null

/** The APNs token-signing key (.p8) with what identifies it; the api checks the key before storing it. */
export function ApnsUpload ({ appId, replacing, onSaved }: UploadProps) {
  const [file, setFile] = useState<File | null>(null)
  const [keyId, setKeyId] = useState('')
  const [teamId, setTeamId] = useState('')
  const [bundle, setBundle] = useState('')
  const [environment, setEnvironment] = useState('')
  const [saved, setSaved] = useState(false)
  const upload = async () => {
    setSaved(false)
    if (file === null) throw new Error('Choose the .p8 key file.')
    await call('PUT', '/admin/app/apns', {
      appId,
      keyId: keyId.trim(),
      teamId: teamId.trim(),
      bundle: bundle.trim(),
      ...(environment === '' ? {} : { environment }),
      privateKeyBase64: await fileBase64(file)
    })
    setSaved(true)
    await onSaved()
  }
  return (
    <ActionForm label='APNs key' submit={replacing ? 'Replace APNs key' : 'Upload APNs key'} action={upload}>
      <Field label='APNs key file (.p8)'>
        {(id) => <input id={id} type='file' accept='.p8,.pem' required onChange={(e) => setFile(chosenFile(e.currentTarget))} />}
      </Field>
      <Field label='Key id'>{(id) => <input id={id} required value={keyId} onInput={(e) => setKeyId(e.currentTarget.value)} />}</Field>
      <Field label='Team id'>{(id) => <input id={id} required value={teamId} onInput={(e) => setTeamId(e.currentTarget.value)} />}</Field>
      <Field label='Bundle id'>{(id) => <input id={id} required value={bundle} onInput={(e) => setBundle(e.currentTarget.value)} />}</Field>
      <Field label='APNs environment'>
        {(id) => (
          <select id={id} value={environment} onChange={(e) => setEnvironment(e.currentTarget.value)}>
            <option value=''>Devices decide</option>
            <option value='development'>Development (sandbox)</option>
            <option value='production'>Production</option>
          </select>
        )}
      </Field>
      {saved && <Notice>APNs key saved.</Notice>}
    </ActionForm>
  )
}

/** The project id inside a service-account file, to fill the field in (the admin may change it). */
async function projectIdOf (file: File): Promise<string | null> {
  try {
    const parsed: unknown = JSON.parse(await file.text())
    const projectId = (parsed as { project_id?: unknown } | null)?.project_id
    return typeof projectId === 'string' ? projectId : null
  } catch {
    // Not JSON: the api says what is wrong with it when it is uploaded.
    return null
  }
}

/** The Firebase service-account key file (JSON) of the project that sends to the app. */
export function FcmUpload ({ appId, replacing, onSaved }: UploadProps) {
  const [file, setFile] = useState<File | null>(null)
  const [projectId, setProjectId] = useState('')
  const [saved, setSaved] = useState(false)
  const choose = async (input: HTMLInputElement) => {
    const chosen = chosenFile(input)
    setFile(chosen)
    const found = chosen === null ? null : await projectIdOf(chosen)
    if (found !== null) setProjectId(found)
  }
  const upload = async () => {
    setSaved(false)
    if (file === null) throw new Error('Choose the service-account JSON file.')
    await call('PUT', '/admin/app/fcm', { appId, projectId: projectId.trim(), privateKeyBase64: await fileBase64(file) })
    setSaved(true)
    await onSaved()
  }
  return (
    <ActionForm label='FCM service account' submit={replacing ? 'Replace FCM service account' : 'Upload FCM service account'} action={upload}>
      <Field label='FCM service-account file (.json)'>
        {(id) => <input id={id} type='file' accept='.json,application/json' required onChange={(e) => { detach(choose(e.currentTarget)) }} />}
      </Field>
      <Field label='Firebase project id' hint='Read from the file when it has one'>
        {(id) => <input id={id} required value={projectId} onInput={(e) => setProjectId(e.currentTarget.value)} />}
      </Field>
      {saved && <Notice>FCM service account saved.</Notice>}
    </ActionForm>
  )
}
