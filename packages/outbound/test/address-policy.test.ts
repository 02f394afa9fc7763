import t from 'tap'
import { allowsAddress, classifyAddress, isIpLiteral, literalRefusal } from '../src/index.js'

// Every form the issue names, and the rest of what no callback or token endpoint may reach.
const PRIVATE = ['127.0.0.1', '127.255.0.9', '10.0.0.1', '172.16.0.1', '172.31.255.254', '192.168.1.1', '100.64.0.1',
  '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1',
  '::ffff:192.168.1.1', '::127.0.0.1']
const SPECIAL = ['0.0.0.0', '0.1.2.3', '::', '224.0.0.1', '239.255.255.250', 'ff02::1', '255.255.255.255', '240.0.0.1',
  '192.0.2.1', '198.51.100.7', '203.0.113.9', '198.18.0.1', '2001:db8::1', '::7f00:1', '64:ff9b::a00:1', '2002:7f00:1::1',
  '2001::1', '::ffff:0.0.0.0', '::ffff:255.255.255.255']
// Metadata and credential services, all of 169.254/16 with them: refused whatever the policy.
const METADATA = ['169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '169.254.170.2',
  '169.254.170.23', 'fd00:ec2::23', 'fd20:ce::254', '169.254.0.23', '169.254.1.1', '168.63.129.16']
const PUBLIC = ['8.8.8.8', '1.1.1.1', '142.250.74.10', '2606:4700:4700::1111', '2a00:1450:4001:82b::200a', '::ffff:8.8.8.8']

t.test('refused by default: loopback, private, link-local, unique-local, CGNAT, their IPv4-mapped forms, and special ranges', async (t) => {
  for (const address of [...PRIVATE, ...SPECIAL, ...METADATA]) {
    t.equal(allowsAddress(address).allowed, false, address)
  }
  t.match(allowsAddress('127.0.0.1'), { range: 'loopback' })
  t.match(allowsAddress('::ffff:127.0.0.1'), { range: 'loopback' }, 'an IPv4-mapped address is what it maps to')
  t.match(allowsAddress('10.0.0.1'), { range: 'private' })
  t.match(allowsAddress('fc00::1'), { range: 'uniqueLocal' })
  t.match(allowsAddress('169.254.169.254'), { range: 'instanceMetadata' })
  t.match(allowsAddress('::7f00:1'), { range: 'ipv4Compatible' })
})

t.test('public addresses are allowed, v4, v6 and IPv4-mapped', async (t) => {
  for (const address of PUBLIC) {
    t.same(allowsAddress(address), { allowed: true, range: 'unicast' }, address)
    t.equal(classifyAddress(address).category, 'public', address)
  }
})

// guarantee: callback-private-networks-refused
t.test('allowing private networks allows those ranges only; metadata services and special ranges stay refused', async (t) => {
  const policy = { allowPrivateNetworks: true }
  for (const address of PRIVATE) t.equal(allowsAddress(address, policy).allowed, true, address)
  for (const address of [...SPECIAL, ...METADATA]) t.equal(allowsAddress(address, policy).allowed, false, address)
  for (const address of PUBLIC) t.equal(allowsAddress(address, policy).allowed, true, address)
})

t.test('IP literals are told from names as node:net tells them, brackets allowed', async (t) => {
  t.ok(isIpLiteral('127.0.0.1'))
  t.ok(isIpLiteral('[::1]'))
  t.ok(isIpLiteral('::ffff:127.0.0.1'))
  t.notOk(isIpLiteral('localhost'))
  t.notOk(isIpLiteral('127.1'), 'net resolves this shorthand through lookup, where the guard checks it')
  t.match(literalRefusal('[::1]'), { code: 'DestinationForbidden', address: '::1', range: 'loopback' })
  t.equal(literalRefusal('example.com'), null, 'names are checked when they resolve')
  t.equal(literalRefusal('8.8.8.8'), null)
  t.throws(() => classifyAddress('localhost'), 'only addresses are classified')
})

t.test('an address that cannot be read is refused, not thrown', async (t) => {
  for (const address of ['fe80::1%en.0', 'fe80::1%A-b', 'not an address', '']) {
    t.same(allowsAddress(address), { allowed: false, range: 'unparseable' }, address)
    t.same(allowsAddress(address, { allowPrivateNetworks: true }), { allowed: false, range: 'unparseable' }, address)
  }
})

t.test('metadata services are refused however their address is written: IPv4-mapped, zeros spelled out, upper case', async (t) => {
  // Azure's WireServer is a public address: only its place in the metadata list refuses it, in every spelling.
  for (const address of ['::ffff:168.63.129.16', '::ffff:a83f:8110', '::ffff:100.100.100.200', 'fd00:ec2:0::254', 'FD00:EC2::254',
    'fd00:0ec2:0000::0254', 'fd00:ec2::0023', 'fd20:ce:0:0::254']) {
    t.same(allowsAddress(address), { allowed: false, range: 'instanceMetadata' }, address)
    t.same(allowsAddress(address, { allowPrivateNetworks: true }), { allowed: false, range: 'instanceMetadata' }, `${address}, private networks allowed`)
  }
})
