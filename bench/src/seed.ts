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
