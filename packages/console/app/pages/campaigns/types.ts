/** A campaign as `GET /push/campaign/list` and `…/detail` answer it. */
export interface CampaignSummary {
  id: string
  appId: number | string
  sent: boolean
  message: { title?: string, body?: string, sound?: string, badge?: number }
  timestampCreated: string
  timestampSent: string | null
  timestampCompleted: string | null
}

/** `POST /admin/console/campaign/progress`: users of done chunks over all users, and devices. */
export interface CampaignProgress {
  campaignId: string
  users: number
  usersDone: number
  chunks: number
  chunksDone: number
  devicesSent: number
  devicesFailed: number
  devicesPending: number
  failedChunks: Array<{ chunk: number, reason: string }>
  timestampSent: string | null
  timestampCompleted: string | null
}

export const campaignPath = (id: string) => `/push/campaign/${encodeURIComponent(id)}`

const numbers = new Intl.NumberFormat('en-US')
export const count = (n: number) => numbers.format(n)

/** Draft, sending or sent, in the words the list and the panel share. */
export const stateOf = (campaign: Pick<CampaignSummary, 'timestampSent' | 'timestampCompleted'>) =>
  campaign.timestampCompleted !== null ? 'Sent' : campaign.timestampSent !== null ? 'Sending' : 'Draft'
