import type { CallbackCommand } from '@beacon/contracts'
import { createGuardedDispatcher } from '@beacon/outbound'
import type { CallbackDelivery } from '@beacon/transport'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { DeveloperShares } from '../../../../src/domain/callbacks/developer-shares.js'
import type { Sending } from '../../../../src/plugins/app/callbacks/deliver.js'
import { outboxKicks } from '../../../../src/plugins/app/callbacks/outbox-kicks.js'

// The consumer's handler on its own (deliver.ts's `handle`), fed copies whose settling with
// JetStream the test decides, through a pool the test may have fail.

/** The app with its pool's `query` replaced: the database as a test has it fail. */
export function withQuery (app: FastifyInstance, query: (statement: { text: string }, ...rest: unknown[]) => Promise<unknown>): FastifyInstance {
  const pool = new Proxy(app.db.pool, { get: (target, property, receiverOf) => property === 'query' ? query : Reflect.get(target, property, receiverOf) })
  return new Proxy(app, { get: (target, property) => property === 'db' ? { ...app.db, pool } : Reflect.get(target, property) })
}

/** The pool's own query, for a replacement to call through. */
export const queryOf = (app: FastifyInstance) => async (...args: unknown[]) => await (app.db.pool.query as (...a: unknown[]) => Promise<unknown>)(...args)

export function sendingFor (t: Test, app: FastifyInstance, settings: Sending['settings'], keptAtMostMs = 60_000) {
  const closing = new AbortController()
  const dispatcher = createGuardedDispatcher({ allowPrivateNetworks: true })
  t.teardown(async () => { closing.abort(); await dispatcher.destroy() })
  const sending: Sending = {
    settings,
    shutdown: closing.signal,
    transport: { dispatcher, policy: settings.callbackPolicy },
    shares: new DeveloperShares({ limit: 4, total: 8, maxPutOffMs: 60_000 }),
    kickAfter: outboxKicks(app),
    keptAtMostMs
  }
  return { sending, close: () => { closing.abort() } }
}

export function copyOf (callback: CallbackCommand, settle: { ack?: () => Promise<void> } = {}, deliveryCount = 1) {
  const settled: string[] = []
  const delivery: CallbackDelivery = {
    callback,
    deliveryCount,
    working: () => {},
    ack: async () => { settled.push('ack'); await settle.ack?.() },
    retry: (delayMs) => { settled.push(`retry ${delayMs > 0 ? 'later' : 'now'}`) },
    drop: async () => { settled.push('drop') }
  }
  return { delivery, settled }
}
