import { fileURLToPath } from 'node:url'

/**
 * Where the console's built page is (`npm run build`, or the root scripts on a fresh clone): the
 * same folder from the sources, their test transpilation (.js-src) and the build (dist).
 */
export const consolePageDir = fileURLToPath(new URL('../dist/web', import.meta.url))

export { BATCH_SIZE, readUserIds, userIdOfLine, type UserIdFileSummary } from './user-ids.js'
