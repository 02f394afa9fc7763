import { useCallback, useEffect, useState } from 'preact/hooks'
import { call } from '../../api.ts'
import { detach, useInterval, useLoad } from '../../components/data.ts'
import { ActionForm, ErrorNote, Field, Notice } from '../../components/form.tsx'
import { AddUsers } from './users.tsx'
import { SendProgress } from './progress.tsx'
import { campaignPath, count, stateOf, type CampaignProgress, type CampaignSummary } from './types.ts'

/**
 * The open campaign: its users (until it is sent), a test send, the live send and, from then on,
 * its progress, read every second (every 5 s past 100,000 users) until the campaign completes.
 */
export function CampaignPanel ({ campaign, onChanged, onDeleted }: { campaign: CampaignSummary, onChanged: () => void, onDeleted: () => void }) {
  const progress = useLoad(async () =>
    await call<CampaignProgress>('POST', '/admin/console/campaign/progress', { campaignId: campaign.id }), [campaign.id])
  const [testUser, setTestUser] = useState('')
  const [tested, setTested] = useState<string | null>(null)
  const [liveError, setLiveError] = useState<unknown>(null)
  const current = progress.value
  const started = current?.timestampSent != null
  const complete = current?.timestampCompleted != null
  const sending = started && !complete
  const poll = useCallback(() => { detach(progress.reload()) }, [progress.reload])
  // Each reading counts the campaign's claimed devices (O(devices) in the database; the users come
  // from its chunks): a campaign of a million is read every 5 s, not every second, so an open page
  // does not weigh on its send.
  useInterval(poll, sending ? ((current?.users ?? 0) > 100_000 ? 5000 : 1000) : null)
  // The list shows the campaign's state: told once sending ends.
  useEffect(() => { if (sending) return () => { onChanged() } }, [sending])

  const testSend = async () => {
    await call('POST', `/push/campaign/send/test/${encodeURIComponent(campaign.id)}`, { userId: testUser })
    setTested(testUser)
  }
  const sendLive = async () => {
    setLiveError(null)
    try {
      await call('POST', `/push/campaign/send/live/${encodeURIComponent(campaign.id)}`)
      await progress.reload()
      onChanged()
    } catch (error) { setLiveError(error) }
  }
  return (
    <section class='campaign-panel' aria-labelledby='campaign-open'>
      <h2 id='campaign-open'>Campaign {campaign.id} <span class={`campaign-state campaign-${stateOf(campaign).toLowerCase()}`}>{stateOf(current ?? campaign)}</span></h2>
      <p class='campaign-message'>
        <strong>{campaign.message.title ?? '(no title)'}</strong> {campaign.message.body}
        <span class='muted'> · application {campaign.appId}</span>
      </p>
      <ErrorNote error={progress.error} />
      {current !== undefined && !started && (
        <AddUsers campaignId={campaign.id} users={current.users} onAdded={() => { detach(progress.reload()) }} />
      )}
      <h3>Test send</h3>
      <ActionForm label='Test send' action={testSend} submit='Send test'>
        <Field label='Test user id' hint='gets the campaign message now, as a message; the campaign is not started'>
          {(id) => <input id={id} value={testUser} required maxLength={255} onInput={(event) => { setTestUser(event.currentTarget.value) }} />}
        </Field>
        {tested !== null && <Notice>Test message sent to {tested}.</Notice>}
      </ActionForm>
      <h3>Live send</h3>
      {current !== undefined && !started && (
        <div class='row'>
          <button type='button' onClick={() => { detach(sendLive()) }}>Send to all {count(current.users)} users</button>
          <span class='muted'>Once started, a campaign cannot be stopped or sent again.</span>
          <ErrorNote error={liveError} />
        </div>
      )}
      {current !== undefined && started && <SendProgress progress={current} />}
      <DeleteCampaign campaign={campaign} onDeleted={onDeleted} />
    </section>
  )
}

/** Deleting asks first: the campaign and its users are gone for good. */
function DeleteCampaign ({ campaign, onDeleted }: { campaign: CampaignSummary, onDeleted: () => void }) {
  const [asking, setAsking] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const remove = async () => {
    try {
      await call('POST', `${campaignPath(campaign.id)}/delete`)
      onDeleted()
    } catch (failure) { setError(failure) }
  }
  return (
    <div class='campaign-delete'>
      {!asking && <button type='button' class='danger' onClick={() => { setAsking(true) }}>Delete campaign</button>}
      {asking && (
        <div class='row' role='group' aria-label='Confirm deletion'>
          <span>Delete campaign {campaign.id} and its user list? This cannot be undone.</span>
          <button type='button' class='danger' onClick={() => { detach(remove()) }}>Yes, delete campaign {campaign.id}</button>
          <button type='button' class='secondary' onClick={() => { setAsking(false) }}>Cancel</button>
        </div>
      )}
      <ErrorNote error={error} />
    </div>
  )
}
