// The middle column of the registration comparison: the api's own domain code for
// `POST /push/device/create` (registerDevice, exactly as services/api runs it) behind the same
// bare Fastify route as plain-server.ts — no schema validation, no request logging, no auth
// plugin. Against plain-server.ts it prices our domain code (the retry on transient conflicts,
// the pool through @beacon/db); against the api it prices the HTTP layer.
// Run as a child process: DATABASE_URL, PORT, POOL_SIZE, AUTHORIZATION (the expected header).
import { createDb } from '@beacon/db'
import Fastify from 'fastify'
import { toEnvironment, toPlatform } from '../../../../services/api/src/domain/devices/input.js'
import { registerDevice } from '../../../../services/api/src/domain/devices/registration.js'

const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is required`) })()
const db = createDb({ url: env('DATABASE_URL'), poolSize: Number(env('POOL_SIZE')) })
const authorization = env('AUTHORIZATION')

interface Body { requestObject: { appId: number, token: string, platform: 'ios' | 'android', activationId: string, userId?: string } }

const app = Fastify({ logger: false })
app.post<{ Body: Body }>('/push/device/create', async (request, reply) => {
  if (request.headers.authorization !== authorization) return reply.code(401).send({ status: 'ERROR' })
  const r = request.body.requestObject
  // No PowerAuth server: the caller's word stands, as resolveActivationOwners has it.
  await registerDevice(db, String(r.appId), {
    pushToken: r.token,
    platform: toPlatform(r.platform),
    environment: toEnvironment(undefined),
    activations: [{ activationId: r.activationId, userId: r.userId ?? null, activationStatus: 'ACTIVE' }]
  })
  return { status: 'OK' }
})
app.addHook('onClose', async () => { await db.$disconnect() })
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => { app.close().then(() => process.exit(0), () => process.exit(1)) })
await app.listen({ host: '127.0.0.1', port: Number(env('PORT')) })
console.log('domain server listening')
