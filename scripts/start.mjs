// `npm start`: Beacon with nothing to set up. Runs the standalone service directly under node,
// not through `pnpm run`: Ctrl+C reaches the service from the terminal, which stops the api and
// the dispatcher, then PostgreSQL, and exits 0 — a package manager in between would report the
// interrupted script as a failure.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { ensureConsoleBuilt, ensureInstalled, root } from './tooling.mjs'

ensureInstalled()
ensureConsoleBuilt()
const cwd = join(root, 'services', 'standalone')
const child = spawn(process.execPath, ['--import=tsx', '--conditions=beacon-source', 'src/main.ts'], { cwd, stdio: 'inherit' })
// The terminal's Ctrl+C goes to the whole process group, the service included: this process only
// waits for it. A SIGTERM meant for `npm start` (a supervisor) is passed on.
process.on('SIGINT', () => {})
process.on('SIGTERM', () => { child.kill('SIGTERM') })
child.on('exit', (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)))
