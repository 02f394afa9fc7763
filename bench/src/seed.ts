import type { Db } from '@beacon/db'

/**
 * `users` users of application `applicationId`, one device each, half APNs and half FCM, written
 * with SQL in one statement per table: setting up is not what the benchmark measures.
 * Tokens have the providers' shapes (64 hex digits; URL-safe text with a colon).
 */
export async function seedUsers (db: Db, applicationId: number, users: number): Promise<void> {
  await db.$executeRaw`
    INSERT INTO device (application_id, push_token, platform)
    SELECT ${applicationId},
           CASE WHEN i % 2 = 0 THEN md5(i::text) || md5((i + 1)::text) ELSE 'bench:' || md5(i::text) END,
           CASE WHEN i % 2 = 0 THEN 'APNS'::"Platform" ELSE 'FCM'::"Platform" END
      FROM generate_series(1, ${users}) AS i`
  await db.$executeRaw`
    INSERT INTO device_activation (application_id, device_id, activation_id, user_id, activation_status, updated_at)
    SELECT ${applicationId}, d.id, 'act-' || d.id, 'user-' || lpad(row_number() OVER (ORDER BY d.id)::text, 7, '0'), 'ACTIVE', now()
      FROM device d WHERE d.application_id = ${applicationId}`
}

export const userIds = function * (users: number): Generator<string> {
  for (let i = 1; i <= users; i++) yield `user-${String(i).padStart(7, '0')}`
}

/**
 * `messages` earlier single messages of application `applicationId`, each complete with one SENT
 * delivery to one of its devices, then ANALYZE (autovacuum's part on a server in service). A server
 * in service has history: on the empty tables of a new database the planner picks sequential scans
 * for the prepared statements of the send path, and keeps those plans until the next ANALYZE
 * while the tables grow under the run.
 */
export async function seedMessageHistory (db: Db, applicationId: number, messages: number): Promise<void> {
  if (messages === 0) return
  const [count] = await db.$queryRaw<Array<{ devices: bigint }>>`SELECT count(*) AS devices FROM device_activation WHERE application_id = ${applicationId}`
  if (count?.devices === 0n) throw new Error(`seedMessageHistory: application ${applicationId} has no devices to address ${messages} earlier messages to; seed its users first`)
  await db.$executeRaw`
    WITH users AS (
           SELECT row_number() OVER (ORDER BY a.device_id) - 1 AS k, a.user_id, a.device_id, d.platform
             FROM device_activation a JOIN device d ON d.id = a.device_id
            WHERE a.application_id = ${applicationId}),
         history AS (
           SELECT gen_random_uuid() AS id, u.user_id, u.device_id, u.platform, now() - interval '1 day' AS at
             FROM generate_series(1, ${messages}) AS i
             JOIN users u ON u.k = i % (SELECT count(*) FROM users)),
         stored AS (
           INSERT INTO message (id, application_id, user_id, personal, silent, priority, body, created_at, summary_at, completed_at)
           SELECT id, ${applicationId}, user_id, false, false, 'HIGH', '{"title":"Earlier","body":"Hello"}', at, at, at FROM history)
    INSERT INTO message_delivery (message_id, device_id, platform, status, attempts, claimed_at, completed_at)
    SELECT id, device_id, platform, 'SENT', 1, at, at FROM history`
  await db.$executeRaw`ANALYZE`
}
