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

t.test('the window is the one asked for: an hour\'s refusal lasts the hour, a second\'s ends with it', async (t) => {
  const app = Fastify()
  await app.register(rateLimit)
  await app.ready()
  const hourly = app.createLimit({ max: 1, windowMs: 3_600_000 })
  t.equal(await hourly.hit(request('10.0.0.1')), 0)
  const wait = await hourly.hit(request('10.0.0.1'))
  t.ok(wait > 3590 && wait <= 3600, `refused for the rest of the hour (${wait} s)`)
  const brief = app.createLimit({ max: 1, windowMs: 1000 })
  t.equal(await brief.hit(request('10.0.0.1')), 0)
  t.equal(await brief.hit(request('10.0.0.1')), 1, 'refused for a second')
  await new Promise((resolve) => setTimeout(resolve, 1100))
  t.equal(await brief.hit(request('10.0.0.1')), 0, 'and counted anew once the second is over')
  await app.close()
})

t.test('a flood from other addresses does not make a limit forget one at its limit', async (t) => {
  const app = Fastify()
  await app.register(rateLimit)
  await app.ready()
  const limit = app.createLimit({ max: 1, windowMs: 60_000 })
  t.equal(await limit.hit(request('192.0.2.1')), 0)
  // An attacker with many addresses (a /48 holds 65536 /64s) cannot push its own counter out.
  for (let i = 0; i < 20_000; i++) await limit.hit(request(`2001:db8:${(i >> 8).toString(16)}:${(i & 0xff).toString(16)}::1`))
  t.ok(await limit.peek(request('192.0.2.1')) > 0, 'still refused after 20000 other keys')
  const small = app.createLimit({ max: 1, windowMs: 60_000, keys: 2 })
  await small.hit(request('192.0.2.1'))
  await small.hit(request('192.0.2.2'))
  await small.hit(request('192.0.2.3'))
  t.equal(await small.peek(request('192.0.2.1')), 0, 'keys bounds what is remembered: the least recently used went first')
  await app.close()
})
