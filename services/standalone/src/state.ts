import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * The secrets the embedded default generates on its first start and reuses afterwards. Losing
 * masterKey makes every stored APNs/FCM credential unreadable, so this file is never regenerated.
 */
export interface StandaloneState {
  masterKey: string
  adminUsername: string
  adminPassword: string
  postgresPassword: string
}

export const STATE_FILE = 'standalone.json'

function generate (): StandaloneState {
  return {
    masterKey: randomBytes(32).toString('base64'),
    adminUsername: 'admin',
    adminPassword: randomBytes(18).toString('base64url'),
    // Hex: it goes into a connection URL unescaped.
    postgresPassword: randomBytes(24).toString('hex')
  }
}

function isState (value: unknown): value is StandaloneState {
  if (typeof value !== 'object' || value === null) return false
  const record = value as Record<string, unknown>
  return ['masterKey', 'adminUsername', 'adminPassword', 'postgresPassword']
    .every((key) => typeof record[key] === 'string' && record[key] !== '')
}

/** Reads `<dataDir>/standalone.json`, creating it (mode 0600) on the first start. */
export async function loadOrCreateState (dataDir: string): Promise<{ state: StandaloneState, file: string, created: boolean }> {
  const file = join(dataDir, STATE_FILE)
  // 0755: when started as root, PostgreSQL runs as the `postgres` user and must reach its folder.
  await mkdir(dataDir, { recursive: true, mode: 0o755 })
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    const state = generate()
    // 'wx': never overwrite a file another start created meanwhile.
    await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
    return { state, file, created: true }
  }
  let parsed: unknown
  try { parsed = JSON.parse(text) } catch { parsed = undefined }
  if (!isState(parsed)) {
    throw new Error(`${file} is damaged: restore it from a backup (deleting it loses the master key that encrypts stored credentials)`)
  }
  await chmod(file, 0o600)
  return { state: parsed, file, created: false }
}
