import { useState } from 'preact/hooks'
import { call } from '../../api.ts'
import { ActionForm, Field } from '../../components/form.tsx'

/**
 * Removing an application takes its devices, messages, campaigns and keys with it, and cannot be
 * undone: the admin types its app id to confirm, as for any such step. The api refuses while it
 * still sends (its message says what is left).
 */
export function RemoveApplication ({ appId, onRemoved }: { appId: string, onRemoved: () => Promise<void> }) {
  const [typed, setTyped] = useState('')
  const remove = async () => {
    if (typed.trim() !== appId) throw new Error(`Type ${appId} to confirm.`)
    await call('POST', '/admin/console/application/remove', { appId })
    await onRemoved()
  }
  return (
    <section aria-labelledby='remove-application' class='danger-zone'>
      <h3 id='remove-application'>Remove this application</h3>
      <p>Its devices, messages, campaigns, developers' grants and APNs and FCM keys go with it. This cannot be undone.</p>
      <ActionForm label={`Remove application ${appId}`} submit='Remove application' action={remove}>
        <Field label='Type the app id to confirm'>{(id) => <input id={id} autoComplete='off' value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />}</Field>
      </ActionForm>
    </section>
  )
}
