import { useState } from 'preact/hooks'
import { call } from '../api.ts'
import { useSelectedApplication } from '../components/applications.tsx'
import { ActionForm, Field } from '../components/form.tsx'
import { SendResult, type SendAnswer, type SentTo } from './send/result.tsx'

/** Extras as the admin typed them: a JSON object, checked before anything is sent. */
function parseExtras (text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined
  let parsed: unknown
  try { parsed = JSON.parse(text) } catch (error) {
    throw new Error(`Extras are not valid JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('Extras must be a JSON object, such as {"account": "1234"}.')
  return parsed as Record<string, unknown>
}

/** A message to a user's devices (or one activation's), and what each device got. */
export function SendPage (_props: { path: string }) {
  const { appId, picker } = useSelectedApplication()
  const [fields, setFields] = useState({ userId: '', activationId: '', title: '', body: '', badge: '', sound: '', extras: '', validUntil: '' })
  const [silent, setSilent] = useState(false)
  const [sent, setSent] = useState<{ to: SentTo, answer: SendAnswer } | null>(null)
  const set = (name: keyof typeof fields) => (event: { currentTarget: { value: string } }) => setFields({ ...fields, [name]: event.currentTarget.value })
  const send = async () => {
    setSent(null)
    const extras = parseExtras(fields.extras)
    const text = (value: string) => value.trim() === '' ? undefined : value
    const body = {
      title: text(fields.title),
      body: text(fields.body),
      badge: fields.badge === '' ? undefined : Number(fields.badge),
      sound: text(fields.sound),
      extras,
      // The input's local time, sent as the instant it names.
      validUntil: fields.validUntil === '' ? undefined : new Date(fields.validUntil).toISOString()
    }
    const to: SentTo = { appId, userId: fields.userId.trim(), activationId: text(fields.activationId.trim()) }
    // SYNCHRONOUS: the answer comes once every device has an outcome (or the api's sync timeout).
    const answer = await call<SendAnswer>('POST', '/push/message/send', {
      appId,
      mode: 'SYNCHRONOUS',
      message: { userId: to.userId, activationId: to.activationId, ...(silent ? { attributes: { silent: true } } : {}), body }
    })
    setSent({ to, answer })
  }
  return (
    <>
      <section aria-labelledby='compose'>
        <h2 id='compose'>Compose a message</h2>
        <ActionForm label='Compose a message' submit='Send message' action={send}>
          {picker}
          <Field label='User id'>{(id) => <input id={id} required value={fields.userId} onInput={set('userId')} />}</Field>
          <Field label='Activation id' hint='Optional: only this activation of the user'>{(id) => <input id={id} value={fields.activationId} onInput={set('activationId')} />}</Field>
          <div class='wide row'>
            <Field label='Title'>{(id) => <input id={id} class='grow' value={fields.title} onInput={set('title')} />}</Field>
            <Field label='Badge'>{(id) => <input id={id} type='number' min={0} step={1} value={fields.badge} onInput={set('badge')} />}</Field>
            <Field label='Sound' hint='e.g. default'>{(id) => <input id={id} value={fields.sound} onInput={set('sound')} />}</Field>
          </div>
          <Field label='Body'>{(id) => <textarea id={id} class='prose' rows={3} value={fields.body} onInput={set('body')} />}</Field>
          <Field label='Extras (JSON object)' hint='Custom data delivered with the notification'>
            {(id) => <textarea id={id} rows={3} placeholder='{"account": "1234"}' value={fields.extras} onInput={set('extras')} />}
          </Field>
          <Field label='Valid until' hint='Optional: not delivered after this time'>
            {(id) => <input id={id} type='datetime-local' value={fields.validUntil} onInput={set('validUntil')} />}
          </Field>
          <Field label='Silent' hint='Data only, no alert'>
            {(id) => <input id={id} type='checkbox' checked={silent} onChange={(e) => setSilent(e.currentTarget.checked)} />}
          </Field>
        </ActionForm>
      </section>
      {sent !== null && <SendResult key={sent.answer.messageIds.join()} to={sent.to} answer={sent.answer} />}
    </>
  )
}
