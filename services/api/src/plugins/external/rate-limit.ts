import rateLimit, { type CreateRateLimitOptions } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

/** A counter of one kind of event per key (an address, a developer key, a token, a socket). */
export interface Limit {
  /** Counts one event; the seconds to wait when this one went over the limit, else 0. */
  hit (request: FastifyRequest): Promise<number>
  /** The seconds to wait when the key is already at the limit, else 0; counts nothing. */
  peek (request: FastifyRequest): Promise<number>
  /**
   * Runs `check` unless the key is already at the limit, and counts it when it fails, as one step
   * of the limit: attempts that overlap (pipelined on one connection, say) cannot all pass a look
   * taken before any of them was counted. `refusedFor` is the wait when `check` did not run.
   */
  attempt (request: FastifyRequest, check: () => boolean): Promise<{ refusedFor: number } | { passed: boolean }>
}

export interface LimitOptions {
  /** Events allowed per window and key. */
  max: number
  windowMs: number
  /** The key; the client address by default (IPv6 by its /64, IPv4-mapped as IPv4). */
  keyOf?: (request: FastifyRequest) => string
  /** Keys remembered at once (least recently used go first). */
  keys?: number
}

declare module 'fastify' {
  interface FastifyInstance {
    createLimit: (options: LimitOptions) => Limit
  }
}

/**
 * @fastify/rate-limit's counters (fixed windows in memory, per api instance), used through
 * `createRateLimit` rather than its route hook: the hook runs once per request, whereas a request
 * here may meet several limits, and each API answers a refusal in its own error format.
 */
export default fp(async (app: FastifyInstance) => {
  await app.register(rateLimit, { global: false })
  app.decorate('createLimit', ({ max, windowMs, keyOf, keys = 100_000 }: LimitOptions): Limit => {
    const options: CreateRateLimitOptions & { cache: number } = { max, timeWindow: windowMs, cache: keys, ...(keyOf === undefined ? {} : { keyGenerator: keyOf }) }
    const limiter = app.createRateLimit(options)
    // One call at a time: the in-memory store hands every caller its live counter object, so calls
    // overlapping in one tick would all read the count of the last (three acks in one TCP read
    // were all refused at a limit of two).
    let previous: Promise<unknown> = Promise.resolve()
    const inTurn = async <T>(step: () => Promise<T>): Promise<T> => {
      const turn = previous.then(step)
      previous = turn.catch(() => {})
      return await turn
    }
    const hit = async (request: FastifyRequest) => {
      const result = await limiter(request)
      return !result.isAllowed && result.isExceeded ? Math.max(result.ttlInSeconds, 1) : 0
    }
    const peek = async (request: FastifyRequest) => {
      const result = await limiter(request, { increment: false })
      return !result.isAllowed && result.remaining === 0 && result.ttl > 0 ? Math.max(result.ttlInSeconds, 1) : 0
    }
    return {
      hit: async (request) => await inTurn(async () => await hit(request)),
      peek: async (request) => await inTurn(async () => await peek(request)),
      attempt: async (request, check) => await inTurn(async () => {
        const wait = await peek(request)
        if (wait > 0) return { refusedFor: wait }
        const passed = check()
        if (!passed) await hit(request)
        return { passed }
      })
    }
  })
}, { name: 'rate-limit' })
