import type { Standalone } from './startup.js'

/**
 * A database URL without its password, for display: none in the user part, and no query at all,
 * where node-postgres (as libpq) takes one too (`?password=`, `sslpassword`, `sslkey`).
 */
function withoutPassword (url: string): string {
  try {
    const parsed = new URL(url)
    parsed.password = ''
    parsed.search = ''
    parsed.hash = ''
    return parsed.toString()
  } catch {
    return '(DATABASE_URL)'
  }
}

/** What a person starting Beacon needs to know: where it runs, how to log in, where data is. */
export function startupBanner (standalone: Standalone): string {
  const { url, admin, settings, stateFile, embedded, migrationsApplied } = standalone
  const lines = [`Beacon is running at ${url}`, '']
  if (admin === null) {
    lines.push('  authentication: DISABLED (AUTH_DISABLED=true): anyone who reaches the port can use the API')
  } else {
    lines.push(`  username: ${admin.username}`)
    lines.push(admin.fromStateFile ? `  password: ${admin.password}` : '  password: (the one in AUTH_PASSWORD)')
  }
  lines.push(`  console:  ${url}/console/${admin === null ? '' : ' (sign in with the username and password)'}`)
  if (standalone.config.tls !== null) {
    lines.push(`  tls:      ${standalone.config.tls.files.certFile} (re-read on SIGHUP)`)
  }
  lines.push(`  data:     ${settings.dataDir} (generated secrets in ${stateFile})`)
  lines.push(embedded === null
    ? `  database: ${withoutPassword(standalone.config.databaseUrl)} (DATABASE_URL)`
    : `  database: embedded PostgreSQL on 127.0.0.1:${settings.embeddedPgPort}${embedded.initialised ? ', created now' : ''} (log: ${embedded.logFile})`)
  if (migrationsApplied.length > 0) lines.push(`  migrations applied: ${migrationsApplied.join(', ')}`)
  lines.push('')
  if (admin !== null && admin.fromStateFile) {
    lines.push(`Try: curl -u '${admin.username}:${admin.password}' ${url}/push/service/status`)
  }
  lines.push('Stop with Ctrl+C.')
  return lines.join('\n')
}
