import { stat } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

/**
 * Started as root, PostgreSQL runs as the `postgres` user, which must be able to walk down to its
 * data folder. A checkout under /root (mode 0700) is the usual trap; it is cheaper to say so
 * before initdb than to decode initdb's "Permission denied".
 */
export async function assertReachableByPostgresUser (directory: string): Promise<void> {
  if (process.getuid?.() !== 0) return
  for (let current = resolve(directory); ; current = dirname(current)) {
    const info = await stat(current).catch(() => undefined)
    // Folders that do not exist yet are created 0755 by us.
    if (info !== undefined && (info.mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user when Beacon is started as root, and it cannot enter ${current} ` +
        `(mode ${(info.mode & 0o777).toString(8)}). Set BEACON_DATA_DIR to a folder it can reach, such as /var/lib/beacon, ` +
        'or start Beacon as a regular user.'
      )
    }
    if (current === dirname(current)) return
  }
}
