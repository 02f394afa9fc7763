// The peer of `POST /push/device/create`: a bare Fastify route over a plain `pg` Pool that does
// the same database work per request as services/api (device-registration.ts with
// device-transaction.ts) — the application looked up by appId, then one transaction: the
// activation's advisory lock, the device upsert, the activation's previous device, the device's
// other activations removed, the activation upsert, and the emptied device deleted when the
// activation moved. No schema, no ORM, no request logging: what is left is the floor.
// Run as a child process: DATABASE_URL, PORT, POOL_SIZE, AUTHORIZATION (the expected header).
import Fastify from 'fastify'
import pg from 'pg'

const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is required`) })()
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: Number(env('POOL_SIZE')) })
const authorization = env('AUTHORIZATION')

interface Body { requestObject: { appId: number | string, token: string, platform: string, environment?: string, activationId: string, userId?: string, activationStatus?: string } }

// As services/api/src/domain/device-input.ts maps them.
const platformOf = (platform: string) => (platform === 'ios' || platform === 'apns' ? 'APNS' : 'FCM')
const environmentOf = (environment?: string) => (environment === undefined ? null : environment === 'production' ? 'PRODUCTION' : 'SANDBOX')

async function register ({ requestObject: r }: Body): Promise<number> {
  const application = await pool.query('SELECT * FROM application WHERE app_id = $1 LIMIT 1', [r.appId])
  if (application.rowCount === 0) return 400
  const applicationId: number = application.rows[0].id
  const activationIds = [r.activationId]
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(`
      SELECT pg_advisory_xact_lock(lock_key) FROM (
        SELECT DISTINCT hashtextextended('beacon.activation:' || id, 0) AS lock_key
        FROM unnest($1::text[]) AS id ORDER BY lock_key) AS keys`, [activationIds])
    const device = await client.query<{ id: string }>(`
      INSERT INTO device (application_id, push_token, platform, environment)
      VALUES ($1, $2, $3::"Platform", $4::"ApnsEnvironment")
      ON CONFLICT (application_id, push_token) DO UPDATE
        SET platform = EXCLUDED.platform, environment = EXCLUDED.environment, last_registered_at = now()
      RETURNING id`, [applicationId, r.token, platformOf(r.platform), environmentOf(r.environment)])
    const deviceId = device.rows[0]!.id
    const previous = await client.query<{ device_id: string }>(
      'SELECT device_id FROM device_activation WHERE application_id = $1 AND activation_id = ANY($2::text[]) AND device_id <> $3',
      [applicationId, activationIds, deviceId])
    await client.query('DELETE FROM device_activation WHERE device_id = $1 AND NOT (activation_id = ANY($2::text[]))', [deviceId, activationIds])
    await client.query(`
      INSERT INTO device_activation (application_id, device_id, activation_id, user_id, activation_status, updated_at)
      SELECT $1, $2, given.activation_id, given.user_id, given.status::"ActivationStatus", now()
      FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS given(activation_id, user_id, status, position)
      ORDER BY given.position
      ON CONFLICT (application_id, activation_id) DO UPDATE
        SET device_id = EXCLUDED.device_id, user_id = EXCLUDED.user_id,
            activation_status = EXCLUDED.activation_status, updated_at = now()`,
    [applicationId, deviceId, activationIds, [r.userId ?? null], [r.activationStatus ?? 'ACTIVE']])
    if (previous.rowCount !== 0) {
      const ids = previous.rows.map((row) => row.device_id)
      await client.query('SELECT id FROM device WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE', [ids])
      await client.query('DELETE FROM device d WHERE d.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM device_activation a WHERE a.device_id = d.id)', [ids])
    }
    await client.query('COMMIT')
    return 200
  } catch (error) {
    await client.query('ROLLBACK')
    throw error
  } finally {
    client.release()
  }
}

const app = Fastify({ logger: false })
app.post<{ Body: Body }>('/push/device/create', async (request, reply) => {
  if (request.headers.authorization !== authorization) return reply.code(401).send({ status: 'ERROR' })
  const status = await register(request.body)
  return reply.code(status).send({ status: status === 200 ? 'OK' : 'ERROR' })
})
app.addHook('onClose', async () => { await pool.end() })
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
await app.listen({ host: '127.0.0.1', port: Number(env('PORT')) })
console.log('plain server listening')
