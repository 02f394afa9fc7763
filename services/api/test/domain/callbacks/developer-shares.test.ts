import t from 'tap'
import { DeveloperShares, type Sender } from '../../../src/domain/callbacks/developer-shares.js'

const shares = (limit: number, total = 64, maxPutOffMs = 60_000) => new DeveloperShares({ limit, total, maxPutOffMs })

t.test('a developer holds at most its share; another developer is unaffected', async (t) => {
  const s = shares(2)
  const taken = [s.take(1), s.take(1), s.take(1)]
  t.same(taken.map((sender) => sender !== undefined), [true, true, false], 'the third of developer 1 finds the share full')
  t.ok(s.take(2) !== undefined && s.take(2) !== undefined, 'developer 2 has its own')
  s.release(taken[0]!)
  t.equal(s.inFlight(1), 1)
  t.ok(s.take(1), 'a sender given back is taken again')
  s.release(taken[0]!)
  t.equal(s.inFlight(1), 2, 'a sender given back twice counts once')
})

t.test('no developer takes a sender beyond the instance\'s total, not even its first', async (t) => {
  const s = shares(1, 2)
  t.ok(s.take(1) !== undefined && s.take(2) !== undefined, 'two developers, a sender each')
  t.equal(s.take(3), undefined, 'a third finds none free')
})

const takeAll = (s: DeveloperShares, developer: number) => {
  const senders: Sender[] = []
  for (let sender = s.take(developer); sender !== undefined; sender = s.take(developer)) senders.push(sender)
  return senders
}

t.test('developers whose servers all hang at once leave senders for a developer that has none', async (t) => {
  // The defaults: 64 senders, 16 a developer at most.
  const s = shares(16, 64)
  const counts = Array.from({ length: 11 }, (_, developer) => takeAll(s, developer + 1).length)
  t.same(counts.slice(0, 5), [16, 16, 16, 8, 1], 'the first ones take their limit, later ones less, the eighth kept for newcomers')
  t.ok(s.take(100) !== undefined, `a twelfth developer still finds a sender (the eleven hold ${counts.reduce((a, b) => a + b, 0)})`)
})

t.test('once they take again, by the share, it takes as many hanging developers as there are senders', async (t) => {
  const s = shares(16, 64)
  const held = new Map<number, Sender[]>()
  for (let developer = 1; developer <= 40; developer++) held.set(developer, takeAll(s, developer))
  // Their attempts time out one developer after another; each takes again what its share allows.
  for (let round = 0; round < 3; round++) {
    for (const [developer, senders] of held) {
      for (const sender of senders) s.release(sender)
      held.set(developer, takeAll(s, developer))
    }
  }
  const holding = [...held.values()].reduce((sum, senders) => sum + senders.length, 0)
  t.ok(holding < 64, `forty hanging developers hold ${holding} of 64`)
  t.same(new Set([...held.values()].map((senders) => senders.length)), new Set([1]), 'one each: 64 ÷ 41')
  t.ok(s.take(100) !== undefined, 'another developer finds a sender')
})

t.test('callbacks put off are spread one attempt time ÷ share apart, from the last one put off, and never far ahead', async (t) => {
  const s = shares(4, 64, 3000)
  const now = 1_000_000
  for (let i = 0; i < 4; i++) s.take(7, now)
  // Before any attempt has ended the estimate is a second: 250 ms apart.
  t.same([s.putOff(7, now), s.putOff(7, now), s.putOff(7, now + 100)], [250, 500, 650])
  // The attempts in flight have hung for 8 s: they say more than the mean does.
  const gap = s.putOff(7, now + 8000) - 0
  t.equal(gap, 2000, 'a server that just began to hang: its oldest attempt\'s age ÷ share')
  t.equal(s.putOff(7, now + 8000, () => 1), 3000, 'capped: never more than maxPutOffMs ahead')
  const spread = Array.from({ length: 100 }, () => s.putOff(7, now + 8000))
  t.ok(spread.every((ms) => ms >= 1500 && ms <= 3000), 'a backlog past the cap is spread over the cap\'s second half, not later and later')
  t.ok(new Set(spread).size > 50, `not all at once (${new Set(spread).size} distinct delays of 100)`)
})

t.test('the mean follows the attempts that end while the developer is busy', async (t) => {
  const s = shares(2, 64)
  const now = 1_000_000
  s.take(5, now)
  for (let i = 0; i < 30; i++) s.release(s.take(5, now)!, now + 20)
  s.take(5, now)
  const delay = s.putOff(5, now)
  t.ok(delay >= 10 && delay <= 12, `attempts of 20 ms, two senders: a callback put off comes back 10 ms later (${delay} ms)`)
})

t.test('a developer with nothing in flight and nothing put off is forgotten', async (t) => {
  const s = shares(1)
  s.release(s.take(3, 0)!, 5)
  t.equal(s.inFlight(3), 0)
  t.equal(s.putOff(3), 0, 'no share is kept: nothing to wait for')
})

t.test('a developer that has given back every sender no longer counts as busy: the shares grow back', async (t) => {
  const s = shares(16, 64)
  for (let developer = 1; developer <= 5; developer++) s.release(s.take(developer)!)
  t.equal(takeAll(s, 99).length, 16, 'a developer alone again takes its whole limit')
})

t.test('the callbacks put off while a developer\'s senders were out keep their places once the senders come back', async (t) => {
  const s = shares(2, 64, 60_000)
  const held = [s.take(7, 0)!, s.take(7, 0)!]
  const putOff = [s.putOff(7, 0), s.putOff(7, 0), s.putOff(7, 0)]
  t.same(putOff, [500, 1000, 1500], 'one mean attempt ÷ share apart')
  for (const sender of held) s.release(sender, 10)
  s.take(7, 10)
  s.take(7, 10)
  t.ok(s.putOff(7, 10) >= 1490, 'the next one comes after them, not among them')
})
