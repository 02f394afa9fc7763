import { createServer, type Server } from 'node:net'
import { test } from 'tap'
import { ephemeralPortRange, freePort, freePortRange } from '../../src/private-servers/free-port.js'

function listen (port: number): Promise<Server> {
  const server = createServer()
  return new Promise((resolve, reject) => { server.once('error', reject); server.listen(port, '127.0.0.1', () => resolve(server)) })
}

test('freePort hands out ports outside the ephemeral range, each one once, each one free', async (t) => {
  const ephemeral = ephemeralPortRange()
  const range = freePortRange()
  const servers: Server[] = []
  t.teardown(() => { for (const server of servers) server.close() })
  if (range === null) {
    // An ephemeral range over nearly every port: the kernel's own choice, free when handed out.
    servers.push(await listen(await freePort()))
    t.equal(servers.length, 1, 'bound')
    return
  }
  t.ok(range.high < ephemeral.low || range.low > ephemeral.high, `${range.low}-${range.high} lies outside ${ephemeral.low}-${ephemeral.high}`)
  t.ok(range.low >= 1024 && range.high <= 65535 && range.low < range.high, 'unprivileged ports only')

  for (let i = 0; i < 50; i++) {
    const port = await freePort()
    t.ok(port >= range.low && port <= range.high, `port ${port} in ${range.low}-${range.high}`)
    servers.push(await listen(port))
  }
  t.equal(new Set(servers.map((s) => (s.address() as { port: number }).port)).size, 50, 'no port handed out twice')
})

test('a port another process listens on is skipped, and one handed out is not handed out again', async (t) => {
  const range = freePortRange()
  // Without room outside the ephemeral range there is no choice of ours to test (the first test covers the kernel's).
  if (range === null) return
  const { low, high } = range
  const at = (port: number) => (port - low + 0.5) / (high - low + 1)
  // A port taken by someone else (not through freePort), then the choice lands on it first.
  let held: Server | undefined
  for (let port = low + 7; held === undefined; port++) held = await listen(port).catch(() => undefined)
  t.teardown(() => held.close())
  const heldPort = (held.address() as { port: number }).port
  const choices = [heldPort, heldPort + 1]
  const first = await freePort({ random: () => at(choices.shift() ?? heldPort + 2) })
  t.not(first, heldPort, 'the held port is skipped')
  t.ok(first > heldPort, 'the next choice is taken')
  const again = [first, first + 100]
  const second = await freePort({ random: () => at(again.shift() ?? first + 101) })
  t.not(second, first, 'a port already handed out is not handed out again, though nothing listens on it')
})
