import { randomBytes, randomUUID } from 'node:crypto'
import { deleteApp, initializeApp, type Credential } from 'firebase-admin/app'
import { getMessaging, type Messaging } from 'firebase-admin/messaging'
import type { Test } from 'tap'
import { FcmMockAgent, jwtBearerCredential } from '../../src/fcm/client.js'
import { startFcmMock, type FcmMock, type FcmMockOptions } from '../../src/fcm/mock.js'
import type { ServiceAccountJson } from '../../src/fcm/service-account.js'

export const projectId = 'beacon-test'

/** A registration token shaped like a real one. */
export const fcmToken = () => `${randomBytes(11).toString('base64url')}:APA91b${randomBytes(100).toString('base64url')}`

export async function fcmMock (t: Test, options: FcmMockOptions = {}): Promise<{ mock: FcmMock, account: ServiceAccountJson }> {
  const mock = await startFcmMock(options)
  t.teardown(() => mock.close())
  return { mock, account: mock.createServiceAccount({ projectId }) }
}

/** firebase-admin, as the dispatcher will set it up, pointed at the mock. */
export function fcmMessaging (t: Test, mock: FcmMock, options: { account?: ServiceAccountJson, credential?: Credential, projectId?: string }): Messaging {
  const agent = new FcmMockAgent(mock)
  const credential = options.credential ?? jwtBearerCredential(options.account!)
  const app = initializeApp({ credential, projectId: options.projectId ?? options.account?.project_id ?? projectId, httpAgent: agent }, `test-${randomUUID()}`)
  t.teardown(async () => {
    await deleteApp(app)
    agent.destroy()
  })
  return getMessaging(app)
}

/** The firebase-admin error code a send fails with ('' when it succeeds). */
export async function sendError (messaging: Messaging, message: Parameters<Messaging['send']>[0]): Promise<{ code: string, message: string }> {
  try {
    await messaging.send(message)
    return { code: '', message: '' }
  } catch (error) {
    const { code, message } = error as { code: string, message: string }
    return { code, message }
  }
}

/** A bare request to the mock, for what firebase-admin refuses to send or does not show. */
export async function rawFcm (mock: FcmMock, path: string, body: unknown, authorization?: string, signal?: AbortSignal) {
  const response = await fetch(`${mock.url}${path}`, {
    method: 'POST',
    ...(signal === undefined ? {} : { signal }),
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  return { status: response.status, headers: response.headers, body: await response.json() as any }
}

/** An access token for the account, obtained the way firebase-admin would. */
export const accessToken = async (account: ServiceAccountJson) => `Bearer ${(await jwtBearerCredential(account).getAccessToken()).access_token}`

export const sendPath = (project = projectId) => `/v1/projects/${project}/messages:send`
