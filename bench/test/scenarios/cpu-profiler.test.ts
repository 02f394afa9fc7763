// The profiler preload of --profile runs: the services stop on the signals close-with-grace
// handles (SIGUSR2 among them), so the profile must start on a signal they leave alone, and be
// written when the service exits cleanly.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { PROFILE_START_SIGNAL, profilerEnv, summariseProfiles } from '../../src/scenarios/registration/cpu-profile.js'

t.test('a service that stops on SIGUSR2 lives through the profile\'s start and writes its profile on SIGTERM', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'bench-profiler-test-'))
  t.teardown(() => rm(folder, { recursive: true, force: true }))
  // As a service under close-with-grace: SIGUSR2 and SIGTERM end it (code 3 tells which did).
  const service = `
    process.on('SIGUSR2', () => process.exit(3))
    process.on('SIGTERM', () => process.exit(0))
    // After the preload's own handler (registered first) has started the profile: 200 ms of work
    // to be sampled, then a word, however slowly a loaded machine runs it.
    process.on('${PROFILE_START_SIGNAL}', () => {
      const until = Date.now() + 200
      while (Date.now() < until) Math.sqrt(Math.random())
      console.log('worked')
    })
    setInterval(() => {}, 1000)
    console.log('ready')`
  const child = spawn(process.execPath, ['-e', service], { env: { ...process.env, ...profilerEnv(folder) }, stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  const worked = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  child.kill(PROFILE_START_SIGNAL)
  await worked
  t.equal(child.exitCode, null, 'still running after the profile started')
  child.kill('SIGTERM')
  t.equal(await exited, 0, 'stopped by SIGTERM, cleanly')
  const profiles = await summariseProfiles(folder)
  t.equal(profiles.length, 1, 'one profile written')
  t.ok(profiles[0]!.sampledMs > 0, 'with samples of the work done after the start signal')
})
