// `POST /push/device/create` under load (autocannon, every request a new token and activation)
// against the api, BESIDE a bare Fastify + pg server doing the same SQL per request on the same
// database with the same pool size: the ratio says what our stack (schema validation, Prisma,
// logging, auth) costs over the floor. The target: ours >= 0.7 x plain.
import { mkdtemp, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Db } from '@beacon/db'
import { databaseUrl, freePort, pipelineAuthorization, spawnService, startPipeline, type ServiceProcess } from '@beacon/testkit'
import { byName, byPid, measureCpu, measureMachineCpu } from '../cpu-usage.js'
import { PROFILE_START_SIGNAL, profilerEnv, summariseProfiles, type ProfileSummary } from './registration/cpu-profile.js'
import { registrationLoad } from './registration/load.js'

export interface RegistrationOptions {
  seconds: number
  connections: number
  /** Database connections of each server (the pipeline's api default is 4). */
  poolSize?: number
  warmupSeconds?: number
  /** Also measures the api's own domain code behind a bare route: where the gap is. */
  breakdown?: boolean
  /** Profiles every server during its measured run (slows it a little): top functions. */
  profile?: boolean
}

const authorization = pipelineAuthorization
const SEEDED = 50_000
const TARGET_RATIO = 0.7

/**
 * Registrations already there, with fresh statistics, before any server runs. On empty tables the
 * first server measured paid for everyone: its connections planned their statements while the
 * tables were empty (sequential scans), and kept those plans as the tables grew during its run,
 * autovacuum's next ANALYZE being up to a minute away — PostgreSQL spent ~1 ms of CPU per request
 * for whichever server went first, ~0.3 ms for the others.
 */
async function seedRegistrations (db: Db, count: number): Promise<void> {
  await db.$executeRaw`
    INSERT INTO device (application_id, push_token, platform)
    SELECT a.id, 'seeded-' || i, 'FCM' FROM application a, generate_series(1, ${count}::int) AS i WHERE a.app_id = '1'`
  await db.$executeRaw`
    INSERT INTO device_activation (application_id, device_id, activation_id, user_id, activation_status, updated_at)
    SELECT application_id, id, 'seeded-' || id, 'seeded-user-' || id, 'ACTIVE', now() FROM device WHERE push_token LIKE 'seeded-%'`
  await db.$executeRaw`ANALYZE device, device_activation`
}

interface Server { label: string, url: string, process: ServiceProcess, profiles: string | undefined }

export async function runRegistration ({ seconds, connections, poolSize = 4, warmupSeconds = 2, breakdown = false, profile = false }: RegistrationOptions) {
  const folders: string[] = []
  const profileFolder = async () => profile ? folders[folders.push(await mkdtemp(join(tmpdir(), 'beacon-bench-prof-'))) - 1] : undefined
  const apiProfiles = await profileFolder()
  // No dispatcher: registration touches only the api and the database.
  const removeFolders = async () => { for (const folder of folders) await rm(folder, { recursive: true, force: true }) }
  const pipeline = await startPipeline({
    dispatchers: 0,
    record: false,
    apiEnv: { DATABASE_POOL_SIZE: String(poolSize), ...(apiProfiles === undefined ? {} : profilerEnv(apiProfiles)) }
  }).catch(async (error: unknown) => { await removeFolders(); throw error })
  const servers: Server[] = [{ label: 'beacon api', url: pipeline.url, process: pipeline.api, profiles: apiProfiles }]
  try {
    await pipeline.configureApplication(1)
    await seedRegistrations(pipeline.db, SEEDED)
    const [row] = await pipeline.db.$queryRaw<Array<{ name: string }>>`SELECT current_database() AS name`
    const peer = async (label: string, script: string) => {
      const [port, profiles] = [await freePort(), await profileFolder()]
      const child = spawnService(`bench/src/scenarios/registration/${script}`, {
        DATABASE_URL: databaseUrl(row!.name),
        PORT: String(port),
        POOL_SIZE: String(poolSize),
        AUTHORIZATION: authorization,
        ...(profiles === undefined ? {} : profilerEnv(profiles))
      })
      servers.push({ label, url: `http://127.0.0.1:${port}`, process: child, profiles })
      await child.waitForOutput(/server listening/)
    }
    await peer('fastify + pg', 'plain-server.ts')
    if (breakdown) await peer('fastify + beacon domain code (prisma)', 'domain-server.ts')

    // One after the other, each after a warm-up of its own (JIT, pool, statement caches).
    let stored = 0
    const figures = []
    for (const server of servers) {
      stored += (await registrationLoad(server.url, authorization, connections, warmupSeconds)).ok
      if (server.profiles !== undefined) server.process.child.kill(PROFILE_START_SIGNAL)
      const cpu = measureCpu({ server: byPid(server.process.child.pid!), 'bench (autocannon)': byPid(process.pid), postgres: byName('postgres') })
      const machine = measureMachineCpu()
      const load = await registrationLoad(server.url, authorization, connections, seconds)
      const used = cpu.stop()
      const hostStealPercent = machine.stop().stealPercent
      stored += load.ok
      // Per request, in µs; only meaningful when nothing else runs on the machine.
      const cpuMicrosecondsPerRequest = Object.fromEntries(Object.entries(used).map(([group, s]) => [group, Math.round((s * 1e6) / Math.max(load.ok, 1))]))
      figures.push({ server: server.label, ...load, cpuMicrosecondsPerRequest, hostStealPercent })
    }
    // One snapshot: requests cut off by the last run's timer may still be committing.
    const [counted] = await pipeline.db.$queryRaw<Array<{ devices: bigint, activations: bigint }>>`
      SELECT (SELECT count(*) FROM device) AS devices, (SELECT count(*) FROM device_activation) AS activations`
    const rows = { devices: Number(counted!.devices) - SEEDED, activations: Number(counted!.activations) - SEEDED }

    // A profile is written when its process exits cleanly.
    let profiles: Record<string, ProfileSummary | undefined> | undefined
    if (profile) {
      await Promise.all(servers.map((server) => server.process.stop('SIGTERM')))
      profiles = {}
      for (const server of servers) profiles[server.label] = (await summariseProfiles(server.profiles!, 20))[0]
    }
    const [ours, plain, domain] = figures
    const ratio = Math.round((ours!.requestsPerSecond / plain!.requestsPerSecond) * 100) / 100
    return {
      scenario: 'device registration',
      cores: cpus().length,
      seconds,
      connections,
      poolSize,
      ours,
      plainPg: plain,
      ...(domain === undefined ? {} : { domainCodeBareRoute: domain }),
      ratio,
      target: TARGET_RATIO,
      meetsTarget: ratio >= TARGET_RATIO,
      // Every 2xx (warm-ups included) left a device and its activation; a run cut off by its
      // timer may leave up to `connections` requests stored whose answers were not counted.
      everyRegistrationStored: rows.devices === rows.activations && rows.devices >= stored && rows.devices <= stored + 2 * servers.length * connections,
      answeredOk: stored,
      rowsStored: rows,
      ...(profiles === undefined ? {} : { profiled: true, profiles })
    }
  } finally {
    await Promise.all(servers.slice(1).map((server) => server.process.stop('SIGTERM')))
    await pipeline.close()
    await removeFolders()
  }
}
