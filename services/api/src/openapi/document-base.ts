import { readFileSync } from 'node:fs'
import { securitySchemes } from './security-schemes.js'
import { TAGS } from './operations.js'

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

/** What the document says before the routes are added: its version, the API, its tags and security schemes. */
export function documentBase () {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Beacon push notification server',
      version: manifest.version,
      description: 'Two APIs on one port. The PowerAuth-compatible API (/push, /admin, /inbox) takes HTTP Basic ' +
        'with the admin credentials and answers `{"status": "OK" | "ERROR", "responseObject": …}`. The signed developer ' +
        'API (/api/1.0) takes MAAIISDK10 signatures and answers errors as `{"error": {"status", "code", "message"}}`; ' +
        'its in-app channel is a WebSocket opened with a token. Examples marked as the seed\'s come from PowerAuth ' +
        'Push Server\'s published API documentation.'
    },
    tags: TAGS.map(({ name, description }) => ({ name, description })),
    components: { securitySchemes }
  }
}
