import { MessageBody } from '@beacon/contracts'
import { Prisma, type Db } from '@beacon/db'
import { requireApplicationByAppId } from '../applications/lookup.js'

const MESSAGE_FIELDS = Object.keys(MessageBody.properties)

/**
 * Stores a campaign of the application with PowerAuth id `appId`. Only the message body fields
 * are kept: unknown ones are ignored (as PowerAuth's JSON binding does), not sent to providers.
 */
export async function createCampaign (db: Db, appId: number | string, message: MessageBody): Promise<bigint> {
  const application = await requireApplicationByAppId(db, appId)
  const known = Object.fromEntries(Object.entries(message).filter(([field]) => MESSAGE_FIELDS.includes(field)))
  const campaign = await db.campaign.create({
    data: { applicationId: application.id, message: known as Prisma.InputJsonObject },
    select: { id: true }
  })
  return campaign.id
}
