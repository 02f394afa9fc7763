// `node scripts/pnpm.mjs <args>`: pnpm <args> after making sure the workspace is installed.
import { ensureInstalled, pnpm } from './tooling.mjs'

ensureInstalled()
pnpm(process.argv.slice(2))
