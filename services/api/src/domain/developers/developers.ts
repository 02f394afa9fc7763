import { appIdAnswer, type DeveloperView, type DeveloperWithSecret } from '@beacon/contracts'
import type { Db, Prisma, SecretBox } from '@beacon/db'
import type { CallbackPolicy } from '../../config.js'
import { badRequest } from '../../errors.js'
import { compareAppIds, parseNumericId } from '../applications/lookup.js'
import { newDeveloperKey, newDeveloperSecret } from './credentials.js'
import { checkCallbackUrl, resolveGrants, type DeveloperGrants } from './input.js'

// The secret column is never selected here: nothing that builds a view can leak it.
const viewSelect = {
  id: true,
  key: true,
  name: true,
  callbackUrl: true,
  enabled: true,
  createdAt: true,
  secretRotatedAt: true,
  applications: { select: { application: { select: { appId: true, carrierDomain: true } } } }
} as const

type ViewRow = Prisma.DeveloperGetPayload<{ select: typeof viewSelect }>

function toView (row: ViewRow): DeveloperView {
  const applications = row.applications
    .map(({ application }) => application)
    .sort((a, b) => compareAppIds(a.appId, b.appId))
    .map((application) => ({ appId: appIdAnswer(application.appId), carrierDomain: application.carrierDomain }))
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    callbackUrl: row.callbackUrl,
    enabled: row.enabled,
    applications,
    timestampCreated: row.createdAt.toISOString(),
    timestampSecretRotated: row.secretRotatedAt.toISOString()
  }
}

/** The id of an existing developer, or a 400 naming the one asked for. */
export async function requireDeveloperId (db: Db, id: number | string): Promise<number> {
  const numeric = parseNumericId(id)
  const row = numeric > 2147483647n ? null : await db.developer.findUnique({ where: { id: Number(numeric) }, select: { id: true } })
  if (row === null) throw badRequest(`Developer with id ${String(id)} does not exist`)
  return row.id
}

export interface CreateDeveloperInput extends DeveloperGrants {
  name: string
  callbackUrl?: string | null | undefined
}

/**
 * The id the next developer row will have. The secret is sealed bound to its row id, so the id is
 * taken from the sequence before the row is written: the row never exists with an unbound secret.
 */
export async function allocateDeveloperId (db: Db): Promise<number> {
  const [row] = await db.$queryRaw<Array<{ id: number }>>`SELECT nextval(pg_get_serial_sequence('developer', 'id'))::int AS id`
  if (row === undefined) throw new Error('nextval returned no row')
  return row.id
}

/** The sealed form of a developer's secret, bound to the developer's row. */
export function sealDeveloperSecret (secrets: SecretBox, developerId: number, secret: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(secrets.seal({ column: 'developer.secret', rowId: developerId }, secret))
}

/** A new developer with a fresh key and secret: the only answer, with rotate's, that holds the secret. */
export async function createDeveloper (db: Db, secrets: SecretBox, input: CreateDeveloperInput, policy: CallbackPolicy): Promise<DeveloperWithSecret> {
  const callbackUrl = input.callbackUrl == null ? null : checkCallbackUrl(input.callbackUrl, policy)
  const applicationIds = await resolveGrants(db, input)
  const secret = newDeveloperSecret()
  const id = await allocateDeveloperId(db)
  const row = await db.developer.create({
    data: {
      id,
      key: newDeveloperKey(),
      name: input.name,
      secret: sealDeveloperSecret(secrets, id, secret),
      callbackUrl,
      applications: { create: applicationIds.map((applicationId) => ({ applicationId })) }
    },
    select: viewSelect
  })
  return { ...toView(row), secret }
}

export async function listDevelopers (db: Db): Promise<DeveloperView[]> {
  const rows = await db.developer.findMany({ select: viewSelect, orderBy: { id: 'asc' } })
  return rows.map(toView)
}

export async function developerDetail (db: Db, id: number | string): Promise<DeveloperView> {
  const row = await db.developer.findUniqueOrThrow({ where: { id: await requireDeveloperId(db, id) }, select: viewSelect })
  return toView(row)
}

export interface UpdateDeveloperInput extends DeveloperGrants {
  id: number | string
  name?: string | undefined
  callbackUrl?: string | null | undefined
}

/**
 * Absent fields stay; given grant lists (applications and/or carriers) replace the grants as a
 * whole. Losing a grant voids the developer's in-app tokens (a later re-grant does not revive them).
 */
export async function updateDeveloper (db: Db, input: UpdateDeveloperInput, policy: CallbackPolicy): Promise<DeveloperView> {
  const id = await requireDeveloperId(db, input.id)
  const callbackUrl = input.callbackUrl == null ? input.callbackUrl : checkCallbackUrl(input.callbackUrl, policy)
  const regrant = input.applications !== undefined || input.carriers !== undefined
  const applicationIds = regrant ? await resolveGrants(db, input) : []
  const row = await db.$transaction(async (tx) => {
    let lostGrant = false
    if (regrant) {
      const removed = await tx.developerApplication.deleteMany({ where: { developerId: id, applicationId: { notIn: applicationIds } } })
      lostGrant = removed.count > 0
      await tx.developerApplication.createMany({ data: applicationIds.map((applicationId) => ({ developerId: id, applicationId })), skipDuplicates: true })
    }
    return await tx.developer.update({
      where: { id },
      data: {
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(callbackUrl === undefined ? {} : { callbackUrl }),
        ...(lostGrant ? { tokenEpoch: { increment: 1 } } : {})
      },
      select: viewSelect
    })
  })
  return toView(row)
}

/** A new secret; the old one stops working at once (requests signed with it get 401), and so do the in-app tokens. */
export async function rotateDeveloperSecret (db: Db, secrets: SecretBox, id: number | string): Promise<DeveloperWithSecret> {
  const developerId = await requireDeveloperId(db, id)
  const secret = newDeveloperSecret()
  const row = await db.developer.update({
    where: { id: developerId },
    data: { secret: sealDeveloperSecret(secrets, developerId, secret), secretRotatedAt: new Date(), tokenEpoch: { increment: 1 } },
    select: viewSelect
  })
  return { ...toView(row), secret }
}

/**
 * A disabled developer's requests are refused (401) until it is enabled again. Disabling voids its
 * in-app tokens for good: enabling does not bring back those issued before.
 */
export async function setDeveloperEnabled (db: Db, id: number | string, enabled: boolean): Promise<DeveloperView> {
  const developerId = await requireDeveloperId(db, id)
  const row = await db.developer.update({
    where: { id: developerId },
    data: { enabled, ...(enabled ? {} : { tokenEpoch: { increment: 1 } }) },
    select: viewSelect
  })
  return toView(row)
}
