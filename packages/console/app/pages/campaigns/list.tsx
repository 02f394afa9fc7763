import { formatTime } from '../../components/form.tsx'
import { stateOf, type CampaignSummary } from './types.ts'

/** Every campaign, the open one marked; a campaign opens by its link (deleting is in its panel). */
export function CampaignList ({ campaigns, openId }: { campaigns: CampaignSummary[], openId: string | null }) {
  if (campaigns.length === 0) return <p class='muted'>No campaign yet.</p>
  return (
    <table>
      <thead>
        <tr><th scope='col'>Id</th><th scope='col'>Application</th><th scope='col'>Title</th><th scope='col'>Created</th><th scope='col'>State</th></tr>
      </thead>
      <tbody>
        {campaigns.map((campaign) => (
          <tr key={campaign.id} aria-current={campaign.id === openId ? 'true' : undefined}>
            <td><a href={`#/campaigns/${campaign.id}`} aria-label={`Open campaign ${campaign.id}`}>{campaign.id}</a></td>
            <td>{campaign.appId}</td>
            <td>{campaign.message.title ?? <span class='muted'>—</span>}</td>
            <td>{formatTime(campaign.timestampCreated)}</td>
            <td class={`campaign-state campaign-${stateOf(campaign).toLowerCase()}`}>{stateOf(campaign)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
