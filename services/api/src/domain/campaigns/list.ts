import { Readable } from 'node:stream'
import type { CampaignSummary } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { campaignSummary, campaignViewInclude, type CampaignView } from './records.js'

/**
 * Campaigns read per statement. A campaign's message takes up to 16 KiB: a page holds up to
 * ~2 MB of them, however many campaigns there are.
 */
export const CAMPAIGN_LIST_PAGE = 100

const page = async (db: Db, all: boolean, after: bigint | undefined): Promise<CampaignView[]> =>
  await db.campaign.findMany({
    where: { ...(all ? {} : { completedAt: null }), ...(after === undefined ? {} : { id: { gt: after } }) },
    include: campaignViewInclude,
    orderBy: { id: 'asc' },
    take: CAMPAIGN_LIST_PAGE
  })

/**
 * `GET /push/campaign/list`'s whole answer, `{"status":"OK","responseObject":[…]}`, as a stream
 * that reads the campaigns page by page (by id) as the client takes them. Campaigns are never
 * purged: built in one piece, the list of a few thousand held hundreds of MB in an api whose heap
 * is capped at 160 MB. The first page is read before anything is answered, so a database that
 * fails at once is the usual 503; one that fails later ends the answer unfinished (the client
 * sees a cut connection, never a list that looks whole). Pages are read one after the other, not
 * in one snapshot: a campaign created or removed meanwhile may be in the list or not.
 */
export async function campaignListStream (db: Db, all: boolean, serialize: (summary: CampaignSummary) => string): Promise<Readable> {
  const first = await page(db, all, undefined)
  async function * chunks () {
    yield '{"status":"OK","responseObject":['
    let rows = first
    let separator = ''
    for (;;) {
      for (const row of rows) {
        yield separator + serialize(campaignSummary(row))
        separator = ','
      }
      if (rows.length < CAMPAIGN_LIST_PAGE) break
      rows = await page(db, all, rows[rows.length - 1]!.id)
    }
    yield ']}'
  }
  return Readable.from(chunks(), { objectMode: false })
}
