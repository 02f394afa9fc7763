import { lookup, type LookupAddress } from 'node:dns'
import { createServer, request as httpRequest, type Agent } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { AddressInfo, LookupFunction } from 'node:net'
import t, { type Test } from 'tap'
import { fetch } from 'undici'
import {
  createGuardedDispatcher, createGuardedHttpAgent, createGuardedHttpsAgent, guardedLookup, type GuardOptions, type Resolver
} from '../src/index.js'

/** A real server on 127.0.0.1 that counts the connections it accepts. */
async function startTarget (t: Test) {
  const server = createServer((_req, res) => res.end('reached'))
  let connections = 0
  server.on('connection', () => { connections++ })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { port: (server.address() as AddressInfo).port, connections: () => connections }
}

/** A resolver that knows a few made-up names, as a hostile DNS server would answer them; others as the system does (localhost). */
const names: Record<string, Array<{ address: string, family: number }>> = {
  'loopback.test': [{ address: '127.0.0.1', family: 4 }],
  'metadata.test': [{ address: '169.254.169.254', family: 4 }],
  'mixed.test': [{ address: '8.8.8.8', family: 4 }, { address: '10.0.0.1', family: 4 }],
  'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }]
}
const resolve: Resolver = (hostname, options, callback) => {
  const addresses = names[hostname]
  if (addresses !== undefined) return callback(null, addresses)
  if (hostname.endsWith('.test')) return callback(Object.assign(new Error(`unknown ${hostname}`), { code: 'ENOTFOUND' }), [])
  lookup(hostname, options, callback)
}

// Every destination the issue names, as the host of a URL: literals and names that resolve to them.
const refusedHosts = (port: number) => [
  `127.0.0.1:${port}`, '169.254.169.254', '10.0.0.1', '172.16.0.1', '192.168.1.1', `[::1]:${port}`, '[fc00::1]',
  `[::ffff:127.0.0.1]:${port}`, `localhost:${port}`, `loopback.test:${port}`, 'metadata.test', `mixed.test:${port}`,
  `mapped.test:${port}`, '0.0.0.0', '[::]'
]

const viaNodeHttp = (url: string, agent: Agent, request = httpRequest) => new Promise<string>((resolve, reject) => {
  const req = request(url, { agent }, (res) => { res.resume(); resolve(String(res.statusCode)) })
  req.on('error', reject)
  req.end()
})

t.test('undici: every refused destination fails before connecting, with DestinationForbidden', async (t) => {
  const target = await startTarget(t)
  const dispatcher = createGuardedDispatcher({ resolve })
  t.teardown(() => dispatcher.close())
  for (const host of refusedHosts(target.port)) {
    const error = await fetch(`http://${host}/hook`, { method: 'POST', body: '{}', dispatcher }).then(() => null, (e: unknown) => e)
    t.match(error, { cause: { code: 'DestinationForbidden', name: 'DestinationForbiddenError' } }, host)
  }
  t.match(await fetch(`https://localhost:${target.port}/`, { dispatcher }).catch((e: unknown) => e), { cause: { code: 'DestinationForbidden' } }, 'https too')
  t.equal(target.connections(), 0, 'the server on 127.0.0.1 was never connected to')

  const allowing = createGuardedDispatcher({ resolve, allowPrivateNetworks: true })
  t.teardown(() => allowing.close())
  const response = await fetch(`http://loopback.test:${target.port}/`, { dispatcher: allowing })
  t.equal(await response.text(), 'reached', 'allowed: the connection goes to the address the guarded lookup returned')
  t.equal(target.connections(), 1, 'control: the counter counts')
  const literal = await fetch(`http://127.0.0.1:${target.port}/`, { dispatcher: allowing })
  t.equal(await literal.text(), 'reached', 'a literal private address is allowed too, under the same policy')
  t.equal(target.connections(), 2)
  const metadata = await fetch('http://metadata.test/', { dispatcher: allowing }).then(() => null, (e: unknown) => e)
  t.match(metadata, { cause: { code: 'DestinationForbidden', range: 'instanceMetadata' } }, 'metadata stays refused')
})

t.test('node:http and node:https agents: the same refusals, as the request error', async (t) => {
  const target = await startTarget(t)
  const http = createGuardedHttpAgent({ resolve })
  const https = createGuardedHttpsAgent({ resolve })
  t.teardown(() => { http.destroy(); https.destroy() })
  for (const host of refusedHosts(target.port)) {
    await t.rejects(viaNodeHttp(`http://${host}/token`, http), { code: 'DestinationForbidden' }, `http ${host}`)
    await t.rejects(viaNodeHttp(`https://${host}/token`, https, httpsRequest), { code: 'DestinationForbidden' }, `https ${host}`)
  }
  t.equal(target.connections(), 0, 'never connected')

  const options: GuardOptions = { resolve, allowPrivateNetworks: true }
  const allowing = createGuardedHttpAgent(options)
  t.teardown(() => allowing.destroy())
  t.equal(await viaNodeHttp(`http://loopback.test:${target.port}/token`, allowing), '200', 'allowed when private networks are')
  t.equal(await viaNodeHttp(`http://127.0.0.1:${target.port}/token`, allowing), '200', 'literal too')
  t.equal(target.connections(), 2, 'control: both connected')
})

t.test('a name that does not resolve fails as DNS says, not as a refusal', async (t) => {
  const dispatcher = createGuardedDispatcher({ resolve })
  t.teardown(() => dispatcher.close())
  const error = await fetch('http://nowhere.test/', { dispatcher }).then(() => null, (e: unknown) => e)
  t.match(error, { cause: { code: 'ENOTFOUND' } })
})

t.test('a caller\'s own lookup does not replace the guard\'s', async (t) => {
  const target = await startTarget(t)
  const agent = createGuardedHttpAgent({ resolve })
  t.teardown(() => agent.destroy())
  // A lookup handed to the request (or the agent) that answers 127.0.0.1 for any name: the guard's still decides.
  const unguarded: LookupFunction = (_hostname, _options, callback) => { callback(null, [{ address: '127.0.0.1', family: 4 }]) }
  const viaOwnLookup = (url: string) => new Promise<string>((resolve, reject) => {
    const req = httpRequest(url, { agent, lookup: unguarded }, (res) => { res.resume(); resolve(String(res.statusCode)) })
    req.on('error', reject)
    req.end()
  })
  await t.rejects(viaOwnLookup(`http://loopback.test:${target.port}/token`), { code: 'DestinationForbidden' })
  await t.rejects(viaOwnLookup(`http://nowhere.test:${target.port}/token`), { code: 'ENOTFOUND' }, 'resolved by the guard\'s resolver')
  t.equal(target.connections(), 0, 'never connected')
})

t.test('with the system resolver, an allowed name resolves to what dns.lookup answers, one address or all', async (t) => {
  const lookup = guardedLookup({ allowPrivateNetworks: true })
  const one = await new Promise<[string, number]>((resolve, reject) => {
    lookup('localhost', {}, (error, address, family) => { if (error !== null) reject(error); else resolve([address as string, family as number]) })
  })
  t.match(one, [/^(127\.0\.0\.1|::1)$/, /^[46]$/], 'an address and its family')
  const all = await new Promise<LookupAddress[]>((resolve, reject) => {
    lookup('localhost', { all: true }, (error, addresses) => { if (error !== null) reject(error); else resolve(addresses as unknown as LookupAddress[]) })
  })
  t.ok(all.length > 0 && all.every(({ address }) => address === '127.0.0.1' || address === '::1'), JSON.stringify(all))
  t.match(await new Promise((resolve) => { guardedLookup()('localhost', {}, (error) => { resolve(error) }) }), { code: 'DestinationForbidden', range: 'loopback' }, 'refused by default')
})
