import { appIdText, type ApplicationRemoveRequest } from '@beacon/contracts'
import type { Db } from '@beacon/db'
import { badRequest } from '../../errors.js'

/**
 * Removes an application with everything of it (the schema cascades: devices and activations,
 * messages and outcomes, campaigns, inbox links, developers' grants, its keys). Refused while one
 * of its messages is not complete or one of its campaigns is sending: the dispatchers would get
 * commands for rows gone under them. The row is locked first, so a send that names the
 * application waits for the answer (and then finds it gone) instead of racing the check.
 * Answers the developers whose grants went, whose in-app sockets are to be checked again.
 */
export async function removeApplication (db: Db, request: ApplicationRemoveRequest['requestObject']): Promise<{ developerIds: number[] }> {
  const appId = appIdText(request.appId)
  return await db.$transaction(async (tx) => {
    const [application] = await tx.$queryRaw<Array<{ id: number }>>`SELECT id FROM application WHERE app_id = ${appId} FOR UPDATE`
    if (application === undefined) throw badRequest(`Application with appId ${appId} does not exist`)
    const [busy] = await tx.$queryRaw<Array<{ messages: bigint, campaigns: bigint }>>`
      SELECT (SELECT count(*) FROM message WHERE application_id = ${application.id} AND completed_at IS NULL) AS messages,
             (SELECT count(*) FROM campaign WHERE application_id = ${application.id} AND sent_at IS NOT NULL AND completed_at IS NULL) AS campaigns`
    const messages = Number(busy?.messages ?? 0)
    const campaigns = Number(busy?.campaigns ?? 0)
    if (messages > 0 || campaigns > 0) {
      throw badRequest(`Application with appId ${appId} is still sending (${messages} messages not complete, ${campaigns} campaigns sending): remove it once they are done`)
    }
    const grants = await tx.developerApplication.findMany({ where: { applicationId: application.id }, select: { developerId: true } })
    await tx.application.delete({ where: { id: application.id } })
    return { developerIds: grants.map((grant) => grant.developerId) }
  })
}
