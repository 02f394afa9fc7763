import t from 'tap'
import { storeInAppMessage } from '../../../src/domain/in-app/messages.js'
import { buildApp } from '../../helper.js'
import { CARRIER, connect, listen, pushTo, serverSocket, setupDeveloper, sleep, storeBacklog, tcpOf, tokenFor, until } from './helper.js'

const env = { INAPP_ACK_TIMEOUT_MS: '600000', INAPP_MAX_BUFFERED_BYTES: String(32 * 1024) }
const alice = `alice@${CARRIER}`

// guarantee: inapp-replay-paced
t.test('a client that reads slowly gets its whole backlog, in order, and stays connected', async (t) => {
  const { app } = await buildApp(t, env)
  const { developerId, applicationId } = await setupDeveloper(app)
  const alices = { applicationId, userId: 'alice', developerId }
  // 6 MB: far more than the kernel's buffers and the slow-consumer limit (32 KiB) together.
  const backlog = await storeBacklog(app, alices, 500, '€'.repeat(4096))
  const client = await connect(t, await listen(app), await tokenFor(app, alice))
  // Reads in three spells, stopping long enough each time for the server's side to back up.
  for (let spell = 0; spell < 3; spell++) {
    tcpOf(client.socket).pause()
    await until(() => serverSocket(app).bufferedAmount > 0, 'the api holds unsent data', 30_000)
    await sleep(200)
    tcpOf(client.socket).resume()
  }
  await until(() => client.frames.some((frame) => frame.id === backlog.at(-1)), 'the last of the backlog', 30_000)
  const replayed = client.frames.map((frame) => frame.id)
  t.equal(replayed.length, 500, 'every message of the backlog')
  t.same(replayed, backlog, 'each once, oldest first (ties by id)')
  t.equal(app.inApp.sockets.count(alices), 1, 'never dropped as a slow consumer')
})

t.test('messages acknowledged while the replay waits are not written after all', async (t) => {
  const { app } = await buildApp(t, env)
  const { developerId, applicationId } = await setupDeveloper(app)
  const alices = { applicationId, userId: 'alice', developerId }
  // ~24 KB each (a control character takes 6 bytes in JSON): the kernel's buffers take ~170 of them.
  const backlog = await storeBacklog(app, alices, 500, '\u0001'.repeat(4096))
  const client = await connect(t, await listen(app), await tokenFor(app, alice))
  tcpOf(client.socket).pause()
  await until(() => serverSocket(app).bufferedAmount > 0, 'the replay waits', 30_000)
  // Another socket of the user acknowledged the last 200 meanwhile.
  const late = backlog.slice(300)
  await app.db.inboxMessage.updateMany({ where: { id: { in: late } }, data: { acknowledgedAt: new Date() } })
  // Stored without being sent live, a minute after the backlog: the replay's last message.
  const last = await storeInAppMessage(app.db, { ...alices, content: 'last' }, { inAppAckTimeoutMs: 600_000, inAppMessageTtlSeconds: 3600 }, new Date(Date.now() + 60_000))
  tcpOf(client.socket).resume()
  await until(() => client.frames.some((frame) => frame.id === last.id), 'the rest of the replay', 30_000)
  const replayed = client.frames.filter((frame) => frame.id !== last.id).map((frame) => frame.id)
  t.same(replayed, backlog.slice(0, 300), 'the first 300, in order, and none of those acknowledged')
})

t.test('a client that reads as fast as the replay writes gets it in a few statements, not one per frame', async (t) => {
  const { app } = await buildApp(t, { INAPP_ACK_TIMEOUT_MS: '600000' })
  const { developerId, applicationId } = await setupDeveloper(app)
  // 6 MB of 12 KB messages: at 64 KiB, half of it for the replay, two or three frames fill a round.
  const backlog = await storeBacklog(app, { applicationId, userId: 'alice', developerId }, 500, '€'.repeat(4096))
  const messages = app.db.inboxMessage as unknown as { findMany: (...args: unknown[]) => Promise<unknown> }
  const findMany = messages.findMany.bind(messages)
  let statements = 0
  messages.findMany = async (...args: unknown[]) => {
    statements++
    return await findMany(...args)
  }
  const client = await connect(t, await listen(app), await tokenFor(app, alice))
  await until(() => client.frames.length >= backlog.length, 'the backlog', 30_000)
  t.same(client.frames.map((frame) => frame.id), backlog)
  // 10 pages of 50 when the kernel takes every frame at once; a busy machine's client that falls
  // behind now and then adds a few. One per round of the budget was 250.
  t.ok(statements <= 50, `${statements} statements`)
})

// guarantee: inapp-replay-at-most-500
t.test('a backlog over 500: the replay is its oldest 500; the rest waits, and live messages still come', async (t) => {
  const { app } = await buildApp(t, { INAPP_ACK_TIMEOUT_MS: '600000' })
  const { developerId, applicationId } = await setupDeveloper(app)
  const backlog = await storeBacklog(app, { applicationId, userId: 'alice', developerId }, 502, 'backlog')
  const client = await connect(t, await listen(app), await tokenFor(app, alice))
  await until(() => client.frames.some((frame) => frame.id === backlog[499]), 'the 500th of the backlog', 30_000)
  // Sent live once the replay's last frame is in: a 501st replayed would have come before it.
  const live = await pushTo(app, alice, { content: 'live' })
  await until(() => client.frames.some((frame) => frame.id === live), 'the live message', 30_000)
  t.same(client.frames.map((frame) => frame.id), [...backlog.slice(0, 500), live], 'the oldest 500 in order, then the live one; the newest 2 not replayed')
})
