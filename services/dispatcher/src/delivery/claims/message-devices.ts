import type { ProviderPlatform, SendCommand } from '@beacon/contracts'
import { groupCommit, type Db } from '@beacon/db'
import type { EarlierDelivery } from './claims.js'
import { toTarget, type DeviceTarget } from './resolve-devices.js'

// The whole start of a single message in one round trip, for every message whose command starts
// meanwhile (group-commit.ts: the commands in hand resolve together), each row tagged with its
// message's place in the group: the application's credentials version; the user's devices in the
// application, narrowed to one activation when given, `personal` keeping only ACTIVE activations,
// a device with several of the user's activations once; and the claims already made for the
// message (an earlier holder of the command), whether or not their devices still resolve.
// Nothing is claimed here: devices are claimed as their requests are made. No application, no row.
const MESSAGE_DEVICES = {
  name: 'beacon-message-devices-grouped',
  text: `WITH q AS (SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::boolean[], $6::uuid[])
                      AS q(i, application_id, user_id, activation_id, personal, message_id)),
         app AS (SELECT q.i, ap.credentials_version FROM q JOIN application ap ON ap.id = q.application_id)
         SELECT app.i, 'app' AS kind, app.credentials_version, NULL::bigint AS id, NULL::text AS push_token, NULL::text AS platform,
                NULL::text AS environment, NULL::text AS status
           FROM app
         UNION ALL
         SELECT DISTINCT q.i, 'device', NULL::int, d.id, d.push_token, d.platform::text, d.environment::text, NULL::text
           FROM q JOIN app ON app.i = q.i
           JOIN device_activation a ON a.application_id = q.application_id AND a.user_id = q.user_id
           JOIN device d ON d.id = a.device_id
          WHERE (q.activation_id IS NULL OR a.activation_id = q.activation_id)
            AND (NOT q.personal OR a.activation_status = 'ACTIVE')
         UNION ALL
         SELECT q.i, 'claim', NULL::int, m.device_id, NULL, m.platform::text, NULL, m.status::text
           FROM q JOIN message_delivery m ON m.message_id = q.message_id`
}

interface Row {
  i: number
  kind: 'app' | 'device' | 'claim'
  credentials_version: number | null
  id: string
  push_token: string
  platform: ProviderPlatform
  environment: DeviceTarget['environment']
  status: EarlierDelivery['status']
}

export interface MessageDevices {
  /** null: the application is gone. */
  credentialsVersion: number | null
  /** The user's devices to send, in id order: never claimed, or claimed by an earlier holder that recorded no answer. */
  unclaimed: DeviceTarget[]
  /** Claims made before: an earlier holder's. */
  earlier: EarlierDelivery[]
  /** An earlier holder's PENDING claims whose device is gone: to be released. */
  orphaned: bigint[]
}

const resolveGroup = (db: Db) => async (commands: SendCommand[]): Promise<MessageDevices[]> => {
  const { rows } = await db.pool.query<Row>({
    ...MESSAGE_DEVICES,
    values: [
      commands.map((_, i) => i), commands.map((c) => c.applicationId), commands.map((c) => c.userId),
      commands.map((c) => c.activationId ?? null), commands.map((c) => c.personal), commands.map((c) => c.messageId)
    ]
  })
  const byCommand = commands.map((): Row[] => [])
  for (const row of rows) byCommand[row.i]!.push(row)
  return byCommand.map(toMessageDevices)
}

function toMessageDevices (rows: Row[]): MessageDevices {
  const app = rows.find((row) => row.kind === 'app')
  const earlier = rows.filter((row) => row.kind === 'claim')
    .map((row): EarlierDelivery => ({ deviceId: BigInt(row.id), platform: row.platform, status: row.status, chunk: null }))
  const answered = new Set(earlier.filter((e) => e.status !== 'PENDING').map((e) => e.deviceId))
  const devices = rows.filter((row) => row.kind === 'device').map(toTarget)
  const unclaimed = devices.filter((t) => !answered.has(t.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  const resolved = new Set(devices.map((t) => t.id))
  const orphaned = earlier.filter((e) => e.status === 'PENDING' && !resolved.has(e.deviceId)).map((e) => e.deviceId)
  return { credentialsVersion: app?.credentials_version ?? null, unclaimed, earlier, orphaned }
}

const perDb = new WeakMap<Db, (command: SendCommand) => Promise<MessageDevices>>()

/** Resolves a single message's devices and what an earlier holder of the command did with them. */
export function resolveMessageDevices (db: Db, command: SendCommand): Promise<MessageDevices> {
  let resolve = perDb.get(db)
  if (resolve === undefined) {
    resolve = groupCommit(resolveGroup(db), { spacingMs: db.groupSpacingMs })
    perDb.set(db, resolve)
  }
  return resolve(command)
}
