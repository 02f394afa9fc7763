import { randomUUID } from 'node:crypto'
import { setMaxListeners } from 'node:events'
import { backoffDelay, type Backoff } from '@beacon/backoff'
import { commandId, type DeviceResult } from '@beacon/contracts'
import type { CommandDelivery } from '@beacon/transport'
import type { Health } from '../../health.js'
import { outageOf, type Part } from '../../outage.js'
import type { Deadline } from './deadline.js'

/**
 * How a held step waits between tries: 250 ms doubling to 5 s, without jitter. Holders do not
 * wait on their timers alone: the part coming back (the dispatcher's health) wakes them all.
 */
export const HOLD_BACKOFF: Backoff = { baseMs: 250, maxMs: 5000 }

/** How long a command whose handling failed (not on its last delivery) waits to be redelivered: 1 s doubling to a minute. */
export const REDELIVERY_BACKOFF: Backoff = { baseMs: 1000, maxMs: 60_000 }

/**
 * The dispatcher-wide stop: every command in hand (at most `commandsInHand`) listens to it through
 * its CommandRun. Node warns of a "possible memory leak" from the 11th listener, which every busy
 * dispatcher reached (16 campaign chunks in hand by default) and printed; the warning stays for
 * more listeners than commands can be in hand, which would be a leak.
 */
export function createStopping (commandsInHand: number): AbortController {
  const stopping = new AbortController()
  setMaxListeners(commandsInHand, stopping.signal)
  return stopping
}

/** Thrown when a held step is abandoned at the shutdown deadline: the command goes back as it is. */
export class StoppedWhileHeld extends Error {
  override name = 'StoppedWhileHeld'
}

/**
 * One delivery of a command as it is handled: what has been answered so
 * far (for a terminal failure or a stop, which report and release from it), the stop signal, and
 * `hold`, which runs a database or publish step until it succeeds when the failure is an outage.
 */
export class CommandRun {
  /** The command went back unfinished (the dispatcher is stopping). */
  givenBack = false
  /** Stopped while another handling held the command's lease: left to that one (neither acknowledged nor given back). */
  leftToHolder = false
  /** Every result known so far, by device id as the result carries it (answers, outcomes decided without a request, unconfirmed). */
  readonly results = new Map<string, DeviceResult>()
  /** This handling of the command, as its lease and claims name it (lease.ts). */
  readonly claimant: { key: string, holder: string }
  /** Aborted when the dispatcher stops taking work, or when another handling took the command over. */
  readonly signal: AbortSignal
  private readonly aborted = new AbortController()
  // A flag, not a second AbortController: nothing listens for it, and each AbortSignal cost
  // ~10 µs to build here, per command (four per single message before).
  private overtakenFlag = false
  private readonly unlinkStopping: () => void
  /** Resolves at the shutdown deadline (await it once per stop, not per step). */
  readonly giveUp: Promise<void>

  constructor (
    readonly delivery: CommandDelivery,
    private readonly health: Health,
    /** Aborted when the dispatcher stops taking work. */
    stopping: AbortSignal,
    /** The shutdown deadline: waiting for anything more ends there. */
    private readonly deadline: Deadline
  ) {
    this.giveUp = deadline.reached
    this.claimant = { key: commandId(delivery.command), holder: randomUUID() }
    // Not AbortSignal.any: on Node 20 the dispatcher-wide `stopping` signal keeps every run's
    // combined signal, with whatever listens to it, until the dispatcher stops (a 100,000-user
    // campaign ran a 96 MB dispatcher out of memory). The link is undone by `end`.
    this.signal = this.aborted.signal
    const abort = () => { this.aborted.abort() }
    if (stopping.aborted) abort()
    else stopping.addEventListener('abort', abort, { once: true })
    this.unlinkStopping = () => { stopping.removeEventListener('abort', abort) }
  }

  /** The handling is over: the dispatcher-wide stop signal lets go of this run. */
  end (): void { this.unlinkStopping() }

  get stopping (): boolean { return this.signal.aborted }

  /** How long the dispatcher has been without `part` (0 while it is reachable). */
  downForMs (part: Part): number { return this.health.downForMs(part) }

  /**
   * Another handling of the command holds its lease (ours lapsed): the devices not yet on the wire
   * are theirs now. Nothing new starts, and the command is neither acknowledged nor given back.
   */
  get overtaken (): boolean { return this.overtakenFlag }
  overtake (): void {
    this.overtakenFlag = true
    this.aborted.abort()
  }

  /** Told of results as they are added (a campaign chunk publishes them as they come). */
  onResults?: (results: DeviceResult[]) => void

  addResults (results: DeviceResult[]): void {
    for (const result of results) this.results.set(result.deviceId, result)
    this.onResults?.(results)
  }

  /**
   * Runs `step` until it succeeds. A failure for want of the database or NATS marks that part
   * down (the dispatcher stops taking commands) and the step is tried again, with backoff, once
   * the part is back or after a while; the command is kept meanwhile (its heartbeat goes on, no
   * delivery is spent). Any other failure is the command's. At the shutdown deadline the step is
   * abandoned (StoppedWhileHeld).
   */
  async hold<T> (step: () => Promise<T>): Promise<T> {
    let tries = 0
    let missing: Part | null = null
    for (;;) {
      try {
        const value = await step()
        if (missing !== null) this.health.up(missing)
        return value
      } catch (error) {
        const part = outageOf(error)
        if (part === null) throw error
        missing = part
        this.health.down(part)
        if (this.deadline.passed) throw new StoppedWhileHeld(`${part} unreachable at the shutdown deadline`, { cause: error })
        await this.pause(backoffDelay(HOLD_BACKOFF, ++tries))
        if (this.deadline.passed) throw new StoppedWhileHeld(`${part} unreachable at the shutdown deadline`, { cause: error })
      }
    }
  }

  /** Until `ms` pass, the dispatcher's health changes or the deadline comes; nothing is left listening after. */
  private pause (ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const unwatch: Array<() => void> = []
      const wake = () => {
        for (const stop of unwatch.splice(0)) stop()
        resolve()
      }
      const timer = setTimeout(wake, ms).unref()
      unwatch.push(() => { clearTimeout(timer) }, this.health.onChange(wake), this.deadline.onReached(wake))
    })
  }
}
