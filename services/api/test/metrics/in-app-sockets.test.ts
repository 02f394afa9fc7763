import t from 'tap'
import { buildApp } from '../helper.js'
import { CARRIER, connect, listen, setupDeveloper, tokenFor, until } from '../routes/in-app/helper.js'
import { metricValue } from './scrape.js'

t.test('in-app sockets open: up when a socket opens, down when it closes', async (t) => {
  const { app } = await buildApp(t)
  await setupDeveloper(app)
  const base = await listen(app)
  const before = await metricValue(app, 'beacon_inapp_sockets_open')
  const { socket } = await connect(t, base, await tokenFor(app, `alice@${CARRIER}`))
  await until(() => app.inApp.sockets.size === 1, 'registered')
  t.equal(await metricValue(app, 'beacon_inapp_sockets_open') - before, 1)
  socket.close()
  await until(() => app.inApp.sockets.size === 0, 'gone')
  t.equal(await metricValue(app, 'beacon_inapp_sockets_open'), before)
})
