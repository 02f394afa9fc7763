import { useState } from 'preact/hooks'
import { call } from '../../api.ts'
import { useLoad } from '../../components/data.ts'
import { ActionForm, ErrorNote, Field } from '../../components/form.tsx'

interface Application { id: number | null, appId: number | string | null, appName: string }

/** The campaign's application and message; users are added once it exists. */
export function CreateCampaign ({ onCreated }: { onCreated: (id: string) => void }) {
  const applications = useLoad(async () =>
    (await call<{ applicationList: Application[] }>('GET', '/admin/app/list')).applicationList, [])
  const [appId, setAppId] = useState('')
  const [title, setTitle] = useState('')
  const [body, setBody] = useState('')
  const [sound, setSound] = useState('')
  const [badge, setBadge] = useState('')
  const choices = (applications.value ?? []).filter((application) => application.appId !== null)
  const chosen = appId !== '' ? appId : String(choices[0]?.appId ?? '')
  const create = async () => {
    if (chosen === '') throw new Error('Create an application first (Applications page).')
    const message = {
      ...(title === '' ? {} : { title }),
      ...(body === '' ? {} : { body }),
      ...(sound === '' ? {} : { sound }),
      ...(badge === '' ? {} : { badge: Number(badge) })
    }
    const { id } = await call<{ id: string }>('POST', '/push/campaign/create', { appId: chosen, message })
    setTitle('')
    setBody('')
    onCreated(id)
  }
  return (
    <ActionForm label='New campaign' action={create} submit='Create campaign'>
      <ErrorNote error={applications.error} />
      <Field label='Application'>
        {(id) => (
          <select id={id} value={chosen} onChange={(event) => { setAppId(event.currentTarget.value) }}>
            {choices.map((application) => (
              <option key={String(application.appId)} value={String(application.appId)}>{application.appName} ({application.appId})</option>
            ))}
          </select>
        )}
      </Field>
      <Field label='Title'>
        {(id) => <input id={id} value={title} maxLength={1024} required onInput={(event) => { setTitle(event.currentTarget.value) }} />}
      </Field>
      <Field label='Sound' hint='optional, e.g. default'>
        {(id) => <input id={id} value={sound} maxLength={256} onInput={(event) => { setSound(event.currentTarget.value) }} />}
      </Field>
      <Field label='Badge' hint='optional'>
        {(id) => <input id={id} type='number' min={0} value={badge} onInput={(event) => { setBadge(event.currentTarget.value) }} />}
      </Field>
      <div class='field wide'>
        <Field label='Body'>
          {(id) => <textarea id={id} value={body} maxLength={4096} rows={2} onInput={(event) => { setBody(event.currentTarget.value) }} />}
        </Field>
      </div>
    </ActionForm>
  )
}
