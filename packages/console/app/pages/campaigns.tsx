import { call } from '../api.ts'
import { detach, useLoad } from '../components/data.ts'
import { ErrorNote } from '../components/form.tsx'
import { CreateCampaign } from './campaigns/create.tsx'
import { CampaignList } from './campaigns/list.tsx'
import { CampaignPanel } from './campaigns/panel.tsx'
import type { CampaignSummary } from './campaigns/types.ts'

/**
 * Campaigns: the list (every campaign, newest first), a form to create one, and the open one's
 * panel — its users, a test send, the live send and its progress. The open campaign is in the
 * location (`#/campaigns/42`), so a reload or a shared link shows it again.
 */
export function CampaignsPage ({ path }: { path: string }) {
  const openId = /^\/campaigns\/(\d+)$/.exec(path)?.[1] ?? null
  const list = useLoad(async () => {
    const campaigns = await call<CampaignSummary[]>('GET', '/push/campaign/list?all=true')
    // Ids grow with creation: the newest first, as an operator looks for the one just made.
    return campaigns.sort((a, b) => b.id.length - a.id.length || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0))
  }, [])
  const open = (id: string | null) => { location.hash = id === null ? '#/campaigns' : `#/campaigns/${id}` }
  const opened = list.value?.find((campaign) => campaign.id === openId)
  return (
    <>
      <section class='campaign-new' aria-labelledby='campaigns-new'>
        <h2 id='campaigns-new'>New campaign</h2>
        <CreateCampaign onCreated={(id) => { open(id); detach(list.reload()) }} />
      </section>
      {opened !== undefined && (
        <CampaignPanel
          key={opened.id} campaign={opened} onChanged={() => { detach(list.reload()) }}
          onDeleted={() => { open(null); detach(list.reload()) }}
        />
      )}
      <section aria-labelledby='campaigns-all'>
        <h2 id='campaigns-all'>All campaigns</h2>
        <ErrorNote error={list.error} />
        {list.value !== undefined && <CampaignList campaigns={list.value} openId={openId} />}
      </section>
    </>
  )
}
