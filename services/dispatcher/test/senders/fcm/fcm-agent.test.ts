import { createServer } from 'node:http'
import { request } from 'node:https'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { FcmAgent, RetryAfterByToken } from '../../../src/senders/fcm/fcm-agent.js'

/** A plain-HTTP stand-in for FCM answering each request with the status and headers given by its path. */
async function startFcm (t: Test) {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.url?.includes('throttle') === true) res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' })
      else res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
}

// As firebase-admin sends: https.request through the agent, the JSON body given to end().
function send (agent: FcmAgent, path: string, token: string) {
  return new Promise<number>((resolve, reject) => {
    const req = request({ agent, host: 'fcm.googleapis.com', path, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('error', reject)
    req.end(Buffer.from(JSON.stringify({ message: { token, notification: { title: 'x' } } })))
  })
}

t.test('a Retry-After is noted by the token of the request it answered, and taken once', async (t) => {
  const retryAfter = new RetryAfterByToken()
  const agent = new FcmAgent({ endpoint: await startFcm(t), ca: null, maxSockets: 4, retryAfter })
  t.teardown(() => agent.destroy())
  t.equal(await send(agent, '/v1/projects/p/messages:send?throttle', 'token-a'), 429)
  t.equal(await send(agent, '/v1/projects/p/messages:send', 'token-b'), 200)
  t.equal(retryAfter.take('token-b'), undefined, 'an answer without Retry-After notes nothing')
  t.equal(retryAfter.take('token-a'), 7)
  t.equal(retryAfter.take('token-a'), undefined, 'forgotten once taken')
})
