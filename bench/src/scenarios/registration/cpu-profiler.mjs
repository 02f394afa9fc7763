// Preloaded into a service through NODE_OPTIONS=--import=<this file> (Node 20 refuses --cpu-prof
// in NODE_OPTIONS). Sampling starts at SIGWINCH, so that start-up and warm-up stay out of the
// profile, and the V8 .cpuprofile goes into BEACON_CPU_PROFILE_DIR when the process exits
// cleanly (SIGTERM -> the service's shutdown -> exit).
// SIGWINCH, not SIGUSR2: the services stop on SIGUSR2 (close-with-grace listens to it), and
// SIGWINCH is ignored by a process that has no handler. Plain JavaScript: it may run before the
// TypeScript loader is registered.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector'
import { join } from 'node:path'

const folder = process.env.BEACON_CPU_PROFILE_DIR
if (folder) {
  const session = new Session()
  session.connect()
  let started = false
  process.on('SIGWINCH', () => {
    if (started) return
    started = true
    session.post('Profiler.enable')
    session.post('Profiler.start')
  })
  // An in-thread session answers synchronously, so the profile is out before the process ends.
  process.once('exit', () => {
    if (!started) return
    session.post('Profiler.stop', (error, result) => {
      if (error === null) writeFileSync(join(folder, `CPU.${process.pid}.cpuprofile`), JSON.stringify(result.profile))
    })
  })
}
