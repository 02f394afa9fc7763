// The ceiling's sender, run as its own process: plain node:http2 to the APNs mock with a valid
// provider token, no queue, no database, no client library — nothing but the requests.
import { createPrivateKey, randomBytes, sign } from 'node:crypto'
import { connect, type ClientHttp2Session } from 'node:http2'
import { serveParent } from './child.js'

export interface SendRequest { count: number, sessions: number, streamsPerSession: number }
export interface SendReply {
  seconds: number
  accepted: number
  /** Answers other than 200 by status ('transport' when the stream failed without one). */
  failures: Record<string, number>
}

const setting = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`${name} is not set`)
  return value
}
// The mock's certificate names 127.0.0.1 as well as localhost: no DNS, no IPv6 guess.
const origin = `https://127.0.0.1:${setting('APNS_PORT')}`
const ca = setting('APNS_CA')
const privateKey = createPrivateKey(setting('APNS_KEY'))
const keyId = setting('APNS_KEY_ID')
const teamId = setting('APNS_TEAM_ID')
const topic = setting('APNS_TOPIC')
// The payload the campaign sends (what node-apn compiles for title, body and badge).
const body = JSON.stringify({ aps: { badge: 1, alert: { title: 'Benchmark', body: 'Hello from Beacon' } } })

const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** An ES256 provider token; APNs wants it reused (up to an hour), so one per run. */
function providerToken (): string {
  const input = `${json({ alg: 'ES256', kid: keyId })}.${json({ iss: teamId, iat: Math.floor(Date.now() / 1000) })}`
  // JWT signatures are r||s (IEEE P1363), not node's default DER.
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`
}

const openSession = () => new Promise<ClientHttp2Session>((resolve, reject) => {
  const session = connect(origin, { ca })
  session.once('connect', () => { session.off('error', reject); resolve(session) })
  session.once('error', reject)
})

const closeSession = (session: ClientHttp2Session) => new Promise<void>((resolve) => session.close(() => resolve()))

async function send ({ count, sessions, streamsPerSession }: SendRequest): Promise<SendReply> {
  const open = await Promise.all(Array.from({ length: sessions }, openSession))
  // Device tokens as APNs issues them (32 random bytes, hex), drawn before the clock starts.
  const tokens = randomBytes(32 * count)
  const headers = { ':method': 'POST', authorization: `bearer ${providerToken()}`, 'apns-topic': topic, 'apns-push-type': 'alert', 'apns-priority': '10' }
  const failures: Record<string, number> = {}
  let accepted = 0
  let next = 0
  const started = performance.now()
  await new Promise<void>((resolve) => {
    // Each of the sessions × streams workers sends one request at a time, the next as soon as
    // the answer is in: a constant number in flight, callbacks rather than promises.
    let workers = sessions * streamsPerSession
    const work = (session: ClientHttp2Session) => {
      const index = next++
      if (index >= count) {
        if (--workers === 0) resolve()
        return
      }
      const stream = session.request({ ...headers, ':path': `/3/device/${tokens.toString('hex', index * 32, index * 32 + 32)}` })
      let status = 0
      stream.on('response', (response) => { status = Number(response[':status']) })
      stream.on('error', () => {})
      stream.on('close', () => {
        if (status === 200) accepted++
        else {
          const kind = status === 0 ? 'transport' : String(status)
          failures[kind] = (failures[kind] ?? 0) + 1
        }
        work(session)
      })
      stream.resume()
      stream.end(body)
    }
    for (const session of open) for (let i = 0; i < streamsPerSession; i++) work(session)
  })
  const seconds = (performance.now() - started) / 1000
  await Promise.all(open.map(closeSession))
  return { seconds, accepted, failures }
}

serveParent(send)
