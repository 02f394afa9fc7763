import { Agent as HttpAgent, type AgentOptions } from 'node:http'
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https'
import type { Duplex } from 'node:stream'
import { guardedLookup, literalRefusal, type GuardOptions } from './guarded-lookup.js'

type ConnectionCallback = (error: Error | null, stream?: Duplex) => void
type CreateConnection = (options: Record<string, unknown>, callback?: ConnectionCallback) => Duplex | undefined

/**
 * The guard in an agent's createConnection: an IP literal host is refused before connecting (net
 * would not look it up), a name connects through guardedLookup. A refusal reaches the request as
 * its 'error' event, like any connection failure.
 */
function guardConnections (agent: HttpAgent, options: GuardOptions): void {
  const lookup = guardedLookup(options)
  const create = (agent.createConnection as CreateConnection).bind(agent)
  agent.createConnection = ((connectOptions: Record<string, unknown>, callback?: ConnectionCallback) => {
    const refusal = literalRefusal(String(connectOptions.host ?? 'localhost'), options)
    if (refusal !== null) {
      callback?.(refusal)
      return undefined
    }
    return create({ ...connectOptions, lookup }, callback)
  }) as HttpAgent['createConnection']
}

/** A node:http Agent whose connections pass the destination guard (the `agent` of http.request). */
export function createGuardedHttpAgent (options: GuardOptions & { agent?: AgentOptions } = {}): HttpAgent {
  const agent = new HttpAgent(options.agent)
  guardConnections(agent, options)
  return agent
}

/** A node:https Agent whose connections pass the destination guard (the `agent` of https.request). */
export function createGuardedHttpsAgent (options: GuardOptions & { agent?: HttpsAgentOptions } = {}): HttpsAgent {
  const agent = new HttpsAgent(options.agent)
  guardConnections(agent, options)
  return agent
}
