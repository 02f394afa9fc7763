import Fastify, { type FastifyRequest } from 'fastify'
import t from 'tap'
import rateLimit from '../../../src/plugins/external/rate-limit.js'

const request = (ip: string) => ({ ip, id: 'r', routeOptions: { config: {} } }) as unknown as FastifyRequest

t.test('a limit counts each event once, even when they overlap', async (t) => {
  const app = Fastify()
  await app.register(rateLimit)
  await app.ready()
  const limit = app.createLimit({ max: 2, windowMs: 60_000 })
  // Five at once from one address, as a burst in one tick: the first two pass, the rest wait.
  const waits = await Promise.all([1, 2, 3, 4, 5].map(async () => await limit.hit(request('10.0.0.1'))))
  t.same(waits.map((wait) => wait > 0), [false, false, true, true, true])
  t.ok(waits[4] !== undefined && waits[4] >= 59 && waits[4] <= 60, 'the wait is the rest of the window')
  t.equal(await limit.hit(request('10.0.0.2')), 0, 'another address counts apart')
  t.ok(await limit.peek(request('10.0.0.1')) > 0, 'peek sees the address at its limit')
  t.equal(await limit.peek(request('10.0.0.2')), 0, 'and this one under it')
  t.equal(await limit.peek(request('10.0.0.2')), 0, 'peeking counts nothing')
  await app.close()
})

t.test('IPv6 clients count by their /64, IPv4-mapped ones as IPv4', async (t) => {
  const app = Fastify()
  await app.register(rateLimit)
  await app.ready()
  const limit = app.createLimit({ max: 1, windowMs: 60_000 })
  t.equal(await limit.hit(request('2001:db8:1:2::1')), 0)
  t.ok(await limit.hit(request('2001:db8:1:2:ffff::9')) > 0, 'another address of the same /64')
  t.equal(await limit.hit(request('2001:db8:1:3::1')), 0, 'another /64')
  t.equal(await limit.hit(request('192.0.2.7')), 0)
  t.ok(await limit.hit(request('::ffff:192.0.2.7')) > 0, 'the same IPv4 address, mapped')
  await app.close()
})
