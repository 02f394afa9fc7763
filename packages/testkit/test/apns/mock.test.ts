import { randomUUID } from 'node:crypto'
import t from 'tap'
import { signJwt } from '../../src/jwt.js'
import { generateApnsSigningKey } from '../../src/apns/auth.js'
import { alert, apnsMock, apnsProvider, bundle, deviceToken, rawApns } from '../helpers/apns.js'

t.test('a valid push through @parse/node-apn is accepted and recorded', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key)
  const [first, second] = [deviceToken(), deviceToken()]
  const id = randomUUID()
  const note = alert({ id, payload: { messageId: 'm-1' }, collapseId: 'news', expiry: 1_900_000_000, pushType: 'alert' })
  const result = await provider.send(note, [first, second])
  t.same(result.failed, [])
  t.same(result.sent.map((sent) => sent.device).sort(), [first, second].sort())
  t.equal((result.sent.find((sent) => sent.device === first) as unknown as Record<string, unknown>)['apns-id'], id, 'apns-id echoed')
  const [received] = mock.received(first)
  t.equal(mock.received(first).length, 1)
  t.match(received, {
    token: first,
    status: 200,
    reason: undefined,
    auth: { keyId: key.keyId, teamId: key.teamId },
    headers: { 'apns-topic': bundle, 'apns-priority': '10', 'apns-push-type': 'alert', 'apns-collapse-id': 'news', 'apns-expiration': '1900000000', 'apns-id': id },
    payload: { aps: { alert: 'hello' }, messageId: 'm-1' }
  })
  t.notOk('authorization' in received!.headers, 'the provider token is not logged')
  t.equal(mock.counters.requests, 2)
  t.same(mock.counters.byStatus, { 200: 2 })
})

t.test('provider tokens: wrong key, wrong team, unknown key, expired, missing', async (t) => {
  const { mock, key } = await apnsMock(t)
  const token = deviceToken()
  const otherKey = generateApnsSigningKey()
  const cases = [
    { name: 'signed with another key', key: { ...key, privateKeyPem: otherKey.privateKeyPem } },
    { name: 'another team', key: { ...key, teamId: 'TEAM000000' } },
    { name: 'unknown key id', key: { ...key, keyId: 'UNKNOWN123' } }
  ]
  for (const { name, key: used } of cases) {
    const result = await apnsProvider(t, mock, used).send(alert(), token)
    t.match(result.failed, [{ device: token, status: 403, response: { reason: 'InvalidProviderToken' } }], name)
    t.equal(result.failed.length, 1, `${name}: one failure`)
  }

  const { mock: later } = await apnsMock(t, { now: () => Date.now() + 2 * 3600_000 })
  const laterKey = later.createKey({ bundles: [bundle] })
  const expired = await apnsProvider(t, later, laterKey).send(alert(), token)
  // node-apn turns ExpiredProviderToken into an error (it would regenerate and retry).
  t.match(expired.failed, [{ device: token, status: 403 }])
  t.equal(expired.failed.length, 1)
  t.equal(expired.failed[0]?.error?.message, 'ExpiredProviderToken')

  const send = rawApns(t, mock)
  const path = `/3/device/${token}`
  const jwt = (iat: number) => signJwt({ alg: 'ES256', kid: key.keyId }, { iss: key.teamId, iat }, key.privateKeyPem)
  const nowSeconds = Math.floor(Date.now() / 1000)
  const body = JSON.stringify({ aps: { alert: 'x' } })
  const headers = { ':path': path, 'apns-topic': bundle }
  t.match(await send({ ...headers, authorization: `bearer ${jwt(nowSeconds - 3700)}` }, body), { status: 403, body: '{"reason":"ExpiredProviderToken"}' })
  t.match(await send({ ...headers, authorization: `bearer ${jwt(nowSeconds + 600)}` }, body), { status: 403, body: '{"reason":"InvalidProviderToken"}' })
  t.match(await send({ ...headers, authorization: 'bearer not-a-jwt' }, body), { status: 403, body: '{"reason":"InvalidProviderToken"}' })
  t.match(await send(headers, body), { status: 403, body: '{"reason":"MissingProviderToken"}' })
  const ok = await send({ ...headers, authorization: `bearer ${jwt(nowSeconds - 60)}` }, body)
  t.equal(ok.status, 200, 'a token a minute old is fine')
  t.match(ok.headers['apns-id'], /^[0-9A-F-]{36}$/)
})

t.test('topics: missing, not the team\'s, wrong suffix, token of another app', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key)
  const token = deviceToken()
  const reasonFor = async (fields: Record<string, unknown>, to = token) => {
    const { failed } = await provider.send(alert(fields), to)
    return failed[0]?.response?.reason
  }
  t.equal(await reasonFor({ topic: undefined }), 'MissingTopic')
  t.equal(await reasonFor({ topic: 'com.other.app' }), 'TopicDisallowed')
  t.equal(await reasonFor({ topic: 'bad topic!' }), 'BadTopic')
  t.equal(await reasonFor({ topic: bundle, pushType: 'voip' }), 'TopicDisallowed', 'voip needs <bundle>.voip')
  t.equal(await reasonFor({ topic: `${bundle}.voip`, pushType: 'voip' }), undefined, 'voip topic accepted')
  const other = mock.createKey({ bundles: ['com.example.other'] })
  t.equal((await apnsProvider(t, mock, other).send(alert(), token)).failed[0]?.response?.reason, 'TopicDisallowed', 'another team\'s key')
  const foreign = deviceToken()
  mock.registerDevice(foreign, 'com.example.other')
  t.equal(await reasonFor({}, foreign), 'DeviceTokenNotForTopic')
  t.same(mock.received(foreign).map(({ status, reason }) => [status, reason]), [[400, 'DeviceTokenNotForTopic']])
})

t.test('headers and payload rules', async (t) => {
  const { mock, key } = await apnsMock(t)
  const provider = apnsProvider(t, mock, key)
  const token = deviceToken()
  const answer = async (fields: Record<string, unknown>, to = token) => {
    const { failed } = await provider.send(alert(fields), to)
    return failed[0] === undefined ? 200 : `${failed[0].status} ${failed[0].response?.reason}`
  }
  t.equal(await answer({ pushType: 'background', contentAvailable: 1, alert: undefined, priority: 10 }), '400 BadPriority')
  t.equal(await answer({ pushType: 'background', contentAvailable: 1, alert: undefined, priority: 5 }), 200)
  t.equal(await answer({ priority: 7 }), '400 BadPriority')
  t.equal(await answer({ pushType: 'banner' }), '400 InvalidPushType')
  t.equal(await answer({ collapseId: 'x'.repeat(64) }), 200)
  t.equal(await answer({ collapseId: 'x'.repeat(65) }), '400 BadCollapseId')
  t.equal(await answer({ collapseId: 'é'.repeat(33) }), '400 BadCollapseId', '64 bytes, not characters')
  t.equal(await answer({ id: 'not-a-uuid' }), '400 BadMessageId')
  t.equal(await answer({}, 'zz'.repeat(32)), '400 BadDeviceToken')
  t.equal(await answer({}, 'ab'.repeat(8)), '400 BadDeviceToken', 'too short')
  t.equal(await answer({ payload: { filler: 'x'.repeat(4000) } }), 200)
  t.equal(await answer({ payload: { filler: 'x'.repeat(4100) } }), '413 PayloadTooLarge')
  t.equal(await answer({ topic: `${bundle}.voip`, pushType: 'voip', payload: { filler: 'x'.repeat(4100) } }), 200, 'VoIP allows 5 KB')
  t.equal(await answer({ topic: `${bundle}.voip`, pushType: 'voip', payload: { filler: 'x'.repeat(5100) } }), '413 PayloadTooLarge')
  t.equal(await answer({ rawPayload: { data: 1 } }), '400 BadPayload', 'no aps dictionary')
  t.equal(await answer({ rawPayload: { aps: 'x' } }), '400 BadPayload', 'aps not a dictionary')

  const send = rawApns(t, mock)
  const jwt = signJwt({ alg: 'ES256', kid: key.keyId }, { iss: key.teamId, iat: Math.floor(Date.now() / 1000) }, key.privateKeyPem)
  const headers = { ':path': `/3/device/${token}`, 'apns-topic': bundle, authorization: `bearer ${jwt}` }
  t.match(await send(headers, '{"aps":'), { status: 400, body: '{"reason":"BadPayload"}' })
  t.match(await send(headers), { status: 400, body: '{"reason":"PayloadEmpty"}' })
  t.match(await send({ ...headers, 'apns-expiration': 'soon' }, '{"aps":{}}'), { status: 400, body: '{"reason":"BadExpirationDate"}' })
  t.match(await send({ ...headers, ':path': '/3/device/' }, '{"aps":{}}'), { status: 400, body: '{"reason":"MissingDeviceToken"}' })
  t.match(await send({ ...headers, ':path': '/2/device/x' }, '{"aps":{}}'), { status: 404, body: '{"reason":"BadPath"}' })
  t.match(await send({ ...headers, ':method': 'GET' }), { status: 405, body: '{"reason":"MethodNotAllowed"}' })
  t.same(mock.counters.byStatus[413], 2)
})
