import { developerClient, startCallbackReceiver, type CallbackReceiver, type Pipeline, type ReceivedCallback } from '@beacon/testkit'
import type { Test } from 'tap'
import WebSocket from 'ws'

export const CARRIER = 'carrier.example'

export interface Developer {
  id: number
  receiver: CallbackReceiver
  /** Signs `POST path` with the developer's key and secret to the api at `url`; the parsed 200 answer. */
  post (url: string, path: string, body: unknown): Promise<Record<string, string>>
}

/**
 * Gives application `appId` the carrier and creates a developer granted it, whose callback URL is
 * a receiver of this test (verifying every signature with the developer's secret).
 */
export async function startDeveloper (t: Test, stack: Pipeline, appId: number): Promise<Developer> {
  const carrier = await stack.call('PUT', '/admin/app/carrier', { requestObject: { appId, carrierDomain: CARRIER } })
  if (carrier.status !== 200) throw new Error(`carrier: ${carrier.status} ${JSON.stringify(carrier.body)}`)
  const secrets = new Map<string, string>()
  const receiver = await startCallbackReceiver({ developers: (key) => secrets.get(key) })
  t.teardown(() => receiver.close())
  const created = await stack.call('POST', '/admin/developer/create', {
    requestObject: { name: 'Chaos', callbackUrl: receiver.url('/hooks/chaos'), carriers: [CARRIER] }
  })
  if (created.status !== 200) throw new Error(`developer: ${created.status} ${JSON.stringify(created.body)}`)
  const { id, key, secret } = created.body.responseObject as { id: number, key: string, secret: string }
  secrets.set(key, secret)
  return {
    id,
    receiver,
    async post (url, path, body) {
      const response = await developerClient({ baseUrl: url, key, secret }).request('POST', path, body)
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`)
      return await response.json() as Record<string, string>
    }
  }
}

/** An app's in-app socket: the message frames it got. */
export interface InAppDevice {
  /** Ids of the message frames received, in order, repeats included. */
  frames: string[]
  /** Resolves once the socket is closed, whoever closed it. */
  closed: Promise<void>
}

/**
 * Opens `user`'s in-app socket on the api at `url` with a token the developer asked for; with
 * `ack`, it acknowledges every message frame as the README's client does.
 */
export async function connectDevice (t: Test, developer: Developer, url: string, user: string, options: { ack: boolean }): Promise<InAppDevice> {
  const { token } = await developer.post(url, '/api/1.0/im/token', { user: `${user}@${CARRIER}` })
  const socket = new WebSocket(`${url.replace('http', 'ws')}/api/1.0/im/connect?token=${encodeURIComponent(token!)}`)
  t.teardown(() => socket.terminate())
  const frames: string[] = []
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { type: string, id: string }
    if (frame.type !== 'message') return
    frames.push(frame.id)
    if (options.ack) socket.send(JSON.stringify({ type: 'ack', id: frame.id }))
  })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
  return { frames, closed }
}

/** The verified callbacks the receiver accepted (answered 200), by eventId: how many times each. */
export function acceptedEvents (received: ReceivedCallback[]): Map<string, Array<{ event: string, requestId: string, to: string, reason?: string }>> {
  const accepted = new Map<string, Array<{ event: string, requestId: string, to: string, reason?: string }>>()
  for (const callback of received.filter((c) => c.verified && c.status === 200)) {
    const body = JSON.parse(callback.body) as { eventId: string, event: string, requestId: string, to: string, reason?: string }
    accepted.set(body.eventId, [...accepted.get(body.eventId) ?? [], body])
  }
  return accepted
}
