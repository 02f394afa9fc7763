// `prisma generate` without network: every Prisma CLI command first tries to download the native
// schema engine, which this machine and CI cannot reach. Pointing PRISMA_SCHEMA_ENGINE_BINARY at
// any existing file skips that download; generate itself only needs the bundled WASM.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const prismaCli = createRequire(join(root, 'package.json')).resolve('prisma/build/index.js')
const result = spawnSync(process.execPath, [prismaCli, 'generate', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1', ...process.env }
})
process.exit(result.status ?? 1)
