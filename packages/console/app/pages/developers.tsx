import { Fragment } from 'preact'
import { useState } from 'preact/hooks'
import { call } from '../api.ts'
import { detach, useLoad } from '../components/data.ts'
import { ActionForm, ErrorNote, Field, formatTime } from '../components/form.tsx'
import { Callbacks } from './developers/callbacks.tsx'
import { EditDeveloper } from './developers/edit.tsx'
import { SecretOnce } from './developers/secret-once.tsx'
import { appIdsOf, listOf, type Developer } from './developers/types.ts'

type Shown = { developerId: number, panel: 'grants' | 'callbacks' } | null

/** Developers of the signed API: create (the secret shown once), rotate, disable/enable, grants, callbacks. */
export function DevelopersPage (_props: { path: string }) {
  const developers = useLoad(async () => (await call<{ developerList: Developer[] }>('GET', '/admin/developer/list')).developerList, [])
  const [secret, setSecret] = useState<{ name: string, key: string, secret: string } | null>(null)
  const [shown, setShown] = useState<Shown>(null)
  const [actionError, setActionError] = useState<unknown>(null)
  const [name, setName] = useState('')
  const [callbackUrl, setCallbackUrl] = useState('')
  const [applications, setApplications] = useState('')
  const [carriers, setCarriers] = useState('')

  const create = async () => {
    const made = await call<Developer & { secret: string }>('POST', '/admin/developer/create', {
      name, applications: appIdsOf(applications), carriers: listOf(carriers), ...(callbackUrl.trim() === '' ? {} : { callbackUrl: callbackUrl.trim() })
    })
    setSecret({ name: made.name, key: made.key, secret: made.secret })
    setName('')
    await developers.reload()
  }
  const act = async (developer: Developer, action: 'rotate' | 'disable' | 'enable') => {
    setActionError(null)
    // Each write that locks the developer out asks first: a page another site opened in a popup
    // (SameSite=Strict does not stop the page's own requests) cannot have it done by a stray click.
    if (action === 'rotate' && !confirm(`Rotate the secret of ${developer.name}? The old one stops working at once.`)) return
    if (action === 'disable' && !confirm(`Disable ${developer.name}? Its requests are refused until it is enabled again.`)) return
    try {
      const answer = await call<Developer & { secret?: string }>('POST', `/admin/developer/${action}`, { id: developer.id })
      if (answer.secret !== undefined) setSecret({ name: answer.name, key: answer.key, secret: answer.secret })
      await developers.reload()
    } catch (error) { setActionError(error) }
  }
  const toggle = (developerId: number, panel: 'grants' | 'callbacks') =>
    setShown(shown?.developerId === developerId && shown.panel === panel ? null : { developerId, panel })

  return (
    <>
      {secret !== null && <SecretOnce name={secret.name} developerKey={secret.key} secret={secret.secret} onDone={() => setSecret(null)} />}
      <section aria-label='New developer'>
        <h2>New developer</h2>
        <ActionForm label='Create developer' submit='Create developer' action={create}>
          <Field label='Name'>{(id) => <input id={id} required value={name} onInput={(e) => setName(e.currentTarget.value)} />}</Field>
          <Field label='Applications' hint='app ids, comma-separated'>{(id) => <input id={id} value={applications} onInput={(e) => setApplications(e.currentTarget.value)} />}</Field>
          <Field label='Carrier domains' hint='comma-separated'>{(id) => <input id={id} value={carriers} onInput={(e) => setCarriers(e.currentTarget.value)} />}</Field>
          <Field label='Callback URL' hint='optional'>{(id) => <input id={id} type='url' value={callbackUrl} onInput={(e) => setCallbackUrl(e.currentTarget.value)} />}</Field>
        </ActionForm>
      </section>
      <ErrorNote error={developers.error ?? actionError} />
      <table aria-label='Developers'>
        <thead><tr><th scope='col'>Name</th><th scope='col'>Key</th><th scope='col'>State</th><th scope='col'>Grants</th><th scope='col'>Callback URL</th><th scope='col'>Created / rotated</th><th scope='col'>Actions</th></tr></thead>
        <tbody>
          {(developers.value ?? []).map((developer) => (
            <Fragment key={developer.id}>
              <tr>
                <td>{developer.name}</td>
                <td class='mono'>{developer.key}</td>
                <td>{developer.enabled ? 'enabled' : 'disabled'}</td>
                <td>{developer.applications.map((app) => `${app.appId}${app.carrierDomain === null ? '' : ` (${app.carrierDomain})`}`).join(', ') || '—'}</td>
                <td class='mono'>{developer.callbackUrl ?? '—'}</td>
                <td>{formatTime(developer.timestampCreated)}<br />{formatTime(developer.timestampSecretRotated)}</td>
                <td class='actions'>
                  <button type='button' class='secondary' onClick={() => { detach(act(developer, 'rotate')) }} aria-label={`Rotate secret of ${developer.name}`}>Rotate</button>{' '}
                  <button type='button' class='secondary' onClick={() => { detach(act(developer, developer.enabled ? 'disable' : 'enable')) }} aria-label={`${developer.enabled ? 'Disable' : 'Enable'} ${developer.name}`}>{developer.enabled ? 'Disable' : 'Enable'}</button>{' '}
                  <button type='button' class='secondary' aria-expanded={shown?.developerId === developer.id && shown.panel === 'grants'} onClick={() => toggle(developer.id, 'grants')} aria-label={`Grants of ${developer.name}`}>Grants</button>{' '}
                  <button type='button' class='secondary' aria-expanded={shown?.developerId === developer.id && shown.panel === 'callbacks'} onClick={() => toggle(developer.id, 'callbacks')} aria-label={`Callbacks of ${developer.name}`}>Callbacks</button>
                </td>
              </tr>
              {shown?.developerId === developer.id && (
                <tr>
                  <td colSpan={7}>
                    {shown.panel === 'grants'
                      ? <EditDeveloper developer={developer} onSaved={() => { setShown(null); detach(developers.reload()) }} />
                      : <Callbacks developerId={developer.id} />}
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </>
  )
}
