import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { messageOf } from '../api.ts'
import { detach } from './data.ts'

let nextId = 0
/** A labelled control: the label names the control for screen readers and for tests alike. */
export function Field ({ label, hint, children }: { label: string, hint?: string, children: (id: string) => ComponentChildren }) {
  const [id] = useState(() => `field-${++nextId}`)
  return (
    <div class='field'>
      <label for={id}>{label}</label>
      {children(id)}
      {hint !== undefined && <small>{hint}</small>}
    </div>
  )
}

/** What went wrong, announced to screen readers as it appears. */
export function ErrorNote ({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null
  return <p class='error' role='alert'>{messageOf(error)}</p>
}

/** What went right (an action's result), announced politely. */
export function Notice ({ children }: { children: ComponentChildren }) {
  return <p class='notice' role='status'>{children}</p>
}

/**
 * A form whose submit runs `action`: the button is disabled while it runs, and its error is shown
 * under the form.
 */
export function ActionForm ({ label, action, children, submit }: { label: string, action: () => Promise<void>, children: ComponentChildren, submit: string }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const onSubmit = async (event: Event) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try { await action() } catch (failure) { setError(failure) } finally { setBusy(false) }
  }
  return (
    <form aria-label={label} onSubmit={(event) => { detach(onSubmit(event)) }}>
      {children}
      <button type='submit' disabled={busy}>{busy ? 'Working…' : submit}</button>
      <ErrorNote error={error} />
    </form>
  )
}

export const formatTime = (value: string | number | null | undefined) =>
  value === null || value === undefined ? '—' : new Date(value).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
