import t from 'tap'
import { buildApp, call } from '../../helper.js'
import { CARRIER, connect, listen, setupDeveloper, sleep, tokenFor } from '../in-app/helper.js'

// The keep-alive round checks every socket again too, but only every INAPP_PING_INTERVAL_MS: set
// to its longest here, so a socket closed within seconds was closed by the change itself.
const env = { INAPP_PING_INTERVAL_MS: '300000', INAPP_ACK_TIMEOUT_MS: '600000' }
const PROMPTLY_MS = 5000

/** The socket's close code and reason, or null when it is still open after PROMPTLY_MS. */
const closedPromptly = async (closed: Promise<{ code: number, reason: string }>) =>
  await Promise.race([closed, sleep(PROMPTLY_MS).then(() => null)])

// guarantee: developer-rotate-revokes, developer-disable-revokes, inapp-revocation-closes-sockets
t.test('disabling, rotating, ungranting a developer or removing its application closes its sockets at once', async (t) => {
  const { app } = await buildApp(t, env)
  const base = await listen(app)
  const changes = [
    ['disable', async (id: number) => await call(app, 'POST', '/admin/developer/disable', { requestObject: { id } })],
    ['rotate', async (id: number) => await call(app, 'POST', '/admin/developer/rotate', { requestObject: { id } })],
    ['ungrant', async (id: number) => await call(app, 'PUT', '/admin/developer/update', { requestObject: { id, applications: [] } })],
    ['remove its application', async () => await call(app, 'POST', '/admin/console/application/remove', { requestObject: { appId: '1' } })]
  ] as const
  for (const [index, [change, make]] of changes.entries()) {
    const { developerId } = await setupDeveloper(app, { developerKey: `dev-${index}` })
    const socket = await connect(t, base, await tokenFor(app, `alice@${CARRIER}`, `dev-${index}`))
    const response = await make(developerId)
    t.equal(response.statusCode, 200, `${change}: ${response.body}`)
    t.same(await closedPromptly(socket.closed), { code: 4003, reason: 'no longer authorized' }, `${change}: the open socket is closed within seconds`)
  }
})
