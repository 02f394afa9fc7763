import t from 'tap'
import { buildApp } from '../../helper.js'
import { CARRIER, setupDeveloper, signedPost } from '../in-app/helper.js'

// push.test.ts refuses one character past each bound; this holds the bounds themselves, so that a
// limit tightened by one (or counted in UTF-16 units, which halves it for emoji) fails too.
// guarantee: signed-push-content, signed-push-fallback-text
t.test('content and appMessage.content are taken at exactly 4096 characters, push.content at exactly 2048, emoji counted as one', async (t) => {
  const { app } = await buildApp(t, { INAPP_ACK_TIMEOUT_MS: '60000' })
  await setupDeveloper(app)
  const cases: Array<[string, { content?: string, appMessage?: { content: string }, push?: { content: string } }, string, string | null]> = [
    ['content of 4096', { content: 'c'.repeat(4096) }, 'c'.repeat(4096), null],
    ['appMessage.content of 4096', { appMessage: { content: 'a'.repeat(4096) } }, 'a'.repeat(4096), null],
    ['push.content of 2048', { content: 'hi', push: { content: 'p'.repeat(2048) } }, 'hi', 'p'.repeat(2048)],
    ['content of 4096 emoji', { content: '😀'.repeat(4096) }, '😀'.repeat(4096), null],
    ['push.content of 2048 emoji', { content: 'hi', push: { content: '😀'.repeat(2048) } }, 'hi', '😀'.repeat(2048)]
  ]
  for (const [what, body, content, pushContent] of cases) {
    const response = await signedPost(app, `/api/1.0/push/alice@${CARRIER}`, body)
    t.equal(response.statusCode, 200, `${what}: ${response.body.slice(0, 200)}`)
    if (response.statusCode !== 200) continue
    const stored = await app.db.inboxMessage.findUniqueOrThrow({ where: { id: response.json().requestId } })
    t.equal(stored.body, content, `${what}: stored whole`)
    t.equal(stored.pushContent, pushContent, `${what}: the push text stored whole`)
  }
})
