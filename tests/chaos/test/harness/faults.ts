import type { Pipeline } from '@beacon/testkit'
import { PROVIDER_DELAY_MS } from './settings.js'

/** Requests both provider mocks have received so far. */
export const received = (stack: Pipeline): number => stack.apns.log.length + stack.fcm.log.length

/**
 * Resolves as soon as the mocks have received `count` requests (polled every few milliseconds):
 * a fault is injected while work is flowing, not after it went quiet.
 */
export async function whenReceived (stack: Pipeline, count: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (received(stack) < count) {
    if (Date.now() > deadline) throw new Error(`the mocks received only ${received(stack)} of ${count} requests`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/**
 * Requests received within the last provider delay: accepted by a mock, not yet answered. What
 * was in flight when a fault hit bounds the duplicates the fault may cause.
 */
export function inFlight (stack: Pipeline, delayMs = PROVIDER_DELAY_MS): number {
  const since = Date.now() - delayMs
  return [...stack.apns.log, ...stack.fcm.log].filter((entry) => entry.at > since).length
}

/** Requests the mocks received between `from` and `to` (Date.now() times), read after the fact. */
export function receivedBetween (stack: Pipeline, from: number, to: number): number {
  return [...stack.apns.log, ...stack.fcm.log].filter((entry) => entry.at >= from && entry.at <= to).length
}

/** Polls `condition` until it holds or `timeoutMs` passes; whether it held (errors count as not yet). */
export async function eventually (condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if (await condition()) return true
    } catch {}
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** `promise`, or a rejection naming `what` once `ms` passed (a request a fault left hanging). */
export function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms) })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
