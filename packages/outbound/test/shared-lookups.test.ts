import { ADDRCONFIG, type LookupAddress } from 'node:dns'
import t from 'tap'
import { fetch } from 'undici'
import { createGuardedDispatcher, guardedLookup, type Resolver } from '../src/index.js'
import { sharedLookups } from '../src/shared-lookups.js'

/** A resolver that answers only when told: a DNS server that takes its time, or never answers. */
function heldResolver () {
  const calls: string[] = []
  const held: Array<() => void> = []
  const resolve: Resolver = (hostname, _options, callback) => {
    calls.push(hostname)
    held.push(() => { callback(null, [{ address: '127.0.0.1', family: 4 }]) })
  }
  return { resolve, calls, answerAll: () => { for (const answer of held.splice(0)) answer() } }
}

const lookupOnce = (lookup: ReturnType<typeof guardedLookup>, hostname: string) =>
  new Promise<string>((resolve, reject) => {
    lookup(hostname, { all: true }, (error, addresses) => {
      if (error !== null) reject(error)
      else resolve((addresses as unknown as LookupAddress[]).map((a) => a.address).join())
    })
  })

t.test('lookups of a name made while one is under way share it; another name has its own; none is kept after', async (t) => {
  const dns = heldResolver()
  const lookup = guardedLookup({ resolve: dns.resolve, allowPrivateNetworks: true })
  const same = Array.from({ length: 10 }, () => lookupOnce(lookup, 'slow.test'))
  const other = lookupOnce(lookup, 'other.test')
  t.same(dns.calls, ['slow.test', 'other.test'], 'ten lookups of one name made one call')
  dns.answerAll()
  t.same(await Promise.all(same), Array.from({ length: 10 }, () => '127.0.0.1'), 'each got the answer')
  t.equal(await other, '127.0.0.1')
  const later = lookupOnce(lookup, 'slow.test')
  t.same(dns.calls, ['slow.test', 'other.test', 'slow.test'], 'a lookup after the answer asks again')
  dns.answerAll()
  t.equal(await later, '127.0.0.1')
})

// guarantee: callback-shared-lookups
t.test('many connects to a name whose DNS never answers hold one lookup, and each ends by its own signal', async (t) => {
  const dns = heldResolver()
  const dispatcher = createGuardedDispatcher({ resolve: dns.resolve, allowPrivateNetworks: true })
  t.teardown(async () => { dns.answerAll(); await dispatcher.destroy() })
  // A timer of its own (AbortSignal.timeout's does not keep the process alive, and nothing else here does).
  const timeout = new AbortController()
  setTimeout(() => { timeout.abort(new DOMException('no answer', 'TimeoutError')) }, 200)
  const attempts = Array.from({ length: 8 }, async () => await fetch('http://hanging-dns.test:8080/', {
    method: 'POST', body: '{}', dispatcher, signal: timeout.signal
  }).then(() => 'answered', (error: unknown) => (error as Error).name))
  t.same(await Promise.all(attempts), Array.from({ length: 8 }, () => 'TimeoutError'), 'each attempt ended at its timeout')
  t.same(dns.calls, ['hanging-dns.test'], 'one lookup for all eight')
})

t.test('lookups of one name with other options (an address family) are not shared', async (t) => {
  const calls: unknown[] = []
  const held: Array<() => void> = []
  const lookup = sharedLookups((_hostname, options, callback) => {
    calls.push(options.family)
    held.push(() => { callback(null, [options.family === 6 ? { address: '::1', family: 6 } : { address: '127.0.0.1', family: 4 }]) })
  })
  const answer = (family: number) => new Promise<string>((resolve) => {
    lookup('dual.test', { all: true, family }, (_error, addresses) => { resolve(addresses.map((a) => a.address).join()) })
  })
  const answers = Promise.all([answer(4), answer(6)])
  for (const release of held.splice(0)) release()
  t.same(calls, [4, 6], 'one call each')
  t.same(await answers, ['127.0.0.1', '::1'], 'each its own family\'s addresses')
})

t.test('lookups of one name with other hints (or order) are not shared', async (t) => {
  const calls: unknown[] = []
  const held: Array<() => void> = []
  const lookup = sharedLookups((_hostname, options, callback) => {
    calls.push([options.hints ?? 0, options.order ?? ''])
    held.push(() => { callback(null, [{ address: '127.0.0.1', family: 4 }]) })
  })
  const answer = (options: { hints?: number, order?: 'ipv4first' | 'ipv6first' | 'verbatim' }) => new Promise<void>((resolve) => {
    lookup('hinted.test', { all: true, ...options }, () => { resolve() })
  })
  const answers = Promise.all([answer({}), answer({ hints: ADDRCONFIG }), answer({ order: 'ipv6first' })])
  for (const release of held.splice(0)) release()
  await answers
  t.same(calls, [[0, ''], [ADDRCONFIG, ''], [0, 'ipv6first']], 'one call each')
})
