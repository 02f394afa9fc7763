// The peer of `POST /push/device/create`: a bare Fastify route over a plain `pg` Pool that does
// the same database work per request as services/api (domain/devices/registration.ts): one call of the
// function beacon_register_device (the application lookup, the activation's advisory lock, the
// device upsert, the activation moved from its previous device, the emptied device deleted), as
// a named prepared statement. No schema, no ORM, no request logging: what is left is the floor.
// (Until 2026-11-30 both sides ran the same work as eight statements of their own; see the README.)
// Run as a child process: DATABASE_URL, PORT, POOL_SIZE, AUTHORIZATION (the expected header).
import Fastify from 'fastify'
import pg from 'pg'

const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is required`) })()
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: Number(env('POOL_SIZE')) })
const authorization = env('AUTHORIZATION')

interface Body { requestObject: { appId: number | string, token: string, platform: string, environment?: string, activationId: string, userId?: string, activationStatus?: string } }

// As services/api/src/domain/devices/input.ts maps them.
const platformOf = (platform: string) => (platform === 'ios' || platform === 'apns' ? 'APNS' : 'FCM')
const environmentOf = (environment?: string) => (environment === undefined ? null : environment === 'production' ? 'PRODUCTION' : 'SANDBOX')

async function register ({ requestObject: r }: Body): Promise<number> {
  const { rows } = await pool.query<{ id: string | null }>({
    name: 'register-device',
    text: 'SELECT beacon_register_device($1::text, $2::text, $3::"Platform", $4::"ApnsEnvironment", $5::text[], $6::text[], $7::"ActivationStatus"[]) AS id',
    values: [String(r.appId), r.token, platformOf(r.platform), environmentOf(r.environment), [r.activationId], [r.userId ?? null], [r.activationStatus ?? 'ACTIVE']]
  })
  return rows[0]?.id == null ? 400 : 200
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
