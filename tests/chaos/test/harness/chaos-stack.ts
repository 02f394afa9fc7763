import { startPipeline, type Pipeline, type PipelineOptions } from '@beacon/testkit'
import type { Test } from 'tap'
import { startPrivateNats, type PrivateNats } from './private-nats.js'
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js'
import { guardChild } from './child-guard.js'
import { apiEnv, dispatcherEnv } from './settings.js'

export interface ChaosOptions extends Omit<PipelineOptions, 'natsUrl' | 'databaseUrl'> {
  /** A nats-server of the test's own (for outages) instead of the shared one. */
  privateNats?: boolean
  /** A PostgreSQL cluster of the test's own (for outages) instead of a database on the shared one. */
  privatePostgres?: boolean
}

export interface ChaosStack extends Pipeline {
  /** Set with `privateNats`. */
  nats: PrivateNats | undefined
  /** Set with `privatePostgres`. */
  postgres: PrivatePostgres | undefined
  /** The application every case sends through (configured with the mocks' credentials). */
  appId: number
}

export const APP_ID = 1

/**
 * The testkit pipeline with the fault settings (settings.ts) and, on request, private NATS and
 * PostgreSQL servers; one teardown stops the processes first, then the private servers.
 */
export async function startChaosStack (t: Test, options: ChaosOptions = {}): Promise<ChaosStack> {
  const { privateNats, privatePostgres, ...pipelineOptions } = options
  const servers: Array<{ close (): Promise<void> }> = []
  const closeServers = async () => { for (const server of servers.reverse()) await server.close() }
  let pipeline: Pipeline
  let nats: PrivateNats | undefined
  let postgres: PrivatePostgres | undefined
  try {
    if (privateNats === true) servers.push(nats = await startPrivateNats())
    if (privatePostgres === true) servers.push(postgres = await startPrivatePostgres())
    pipeline = await startPipeline({
      ...pipelineOptions,
      ...(nats === undefined ? {} : { natsUrl: nats.url }),
      ...(postgres === undefined ? {} : { databaseUrl: postgres.url }),
      apiEnv: { ...apiEnv, ...pipelineOptions.apiEnv },
      dispatcherEnv: { ...dispatcherEnv, ...pipelineOptions.dispatcherEnv }
    })
  } catch (error) {
    await closeServers()
    throw error
  }
  t.teardown(async () => {
    try {
      // Processes first: a service must not see its servers go away as one more fault.
      await pipeline.close()
    } finally {
      await closeServers()
    }
  })
  // The services must not outlive this process either (a timeout, a signal): guarded like the servers.
  for (const service of [...pipeline.apis, ...pipeline.dispatchers]) guardChild(service.child)
  const { startApi, startDispatcher } = pipeline
  pipeline.startApi = async (env) => { const api = await startApi(env); guardChild(api.child); return api }
  pipeline.startDispatcher = async (env) => { const dispatcher = await startDispatcher(env); guardChild(dispatcher.child); return dispatcher }
  await pipeline.configureApplication(APP_ID)
  return Object.assign(pipeline, { nats, postgres, appId: APP_ID })
}

async function expectOk (stack: Pipeline, method: string, path: string, body?: unknown): Promise<any> {
  const response = await stack.call(method, path, body)
  if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`)
  return response.body.responseObject
}

/** Creates a campaign of `users` (through the api) and returns its id. */
export async function createCampaign (stack: ChaosStack, users: string[]): Promise<string> {
  const { id } = await expectOk(stack, 'POST', '/push/campaign/create', { requestObject: { appId: stack.appId, message: { title: 'Chaos', body: 'Every device once' } } })
  await expectOk(stack, 'PUT', `/push/campaign/${id}/user/add`, { requestObject: users })
  return String(id)
}

export async function sendLive (stack: ChaosStack, campaignId: string, apiIndex?: number): Promise<void> {
  const response = await stack.call('POST', `/push/campaign/send/live/${campaignId}`, undefined, apiIndex)
  if (response.status !== 200) throw new Error(`send/live: ${response.status} ${JSON.stringify(response.body)}`)
}

/** One ASYNCHRONOUS message per user, as a batch (or as single sends); the message ids. */
export async function sendMessages (stack: ChaosStack, users: string[], how: 'batch' | 'single', apiIndex?: number): Promise<string[]> {
  if (how === 'batch') {
    const response = await stack.call('POST', '/push/message/batch/send', {
      requestObject: { appId: stack.appId, mode: 'ASYNCHRONOUS', batch: users.map((userId) => ({ userId, body: { title: `for ${userId}` } })) }
    }, apiIndex)
    if (response.status !== 200) throw new Error(`batch/send: ${response.status} ${JSON.stringify(response.body)}`)
    return response.body.responseObject.messageIds
  }
  const ids: string[] = []
  for (const userId of users) {
    const response = await stack.call('POST', '/push/message/send', {
      requestObject: { appId: stack.appId, mode: 'ASYNCHRONOUS', message: { userId, body: { title: `for ${userId}` } } }
    }, apiIndex)
    if (response.status !== 200) throw new Error(`message/send: ${response.status} ${JSON.stringify(response.body)}`)
    ids.push(...response.body.responseObject.messageIds)
  }
  return ids
}
