import type { Db } from '@beacon/db'
import type { Logger } from 'pino'
import type { CommandRun } from './run.js'
import { takenOverBy } from '../claims/claims.js'

// JetStream hands a command out again when its heartbeats stop reaching NATS for the ack wait —
// also when NATS itself was away and its holder is alive and sending. The lease, kept in the
// database the claims live in, tells a redelivered copy whether the earlier holder is still at
// it, or finished it. Taken when free, lapsed, or already ours, never once done; the database's
// clock decides for every holder. The second part reads the snapshot from before the insert.
const TAKE = `
  WITH taken AS (
    INSERT INTO command_lease AS l (key, holder, expires_at) VALUES ($1::text, $2::uuid, now() + $3::int * interval '1 millisecond')
    ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
     WHERE NOT l.done AND (l.expires_at < now() OR l.holder = EXCLUDED.holder)
    RETURNING 'held'::text AS state)
  SELECT state FROM taken
  UNION ALL
  SELECT 'done' FROM command_lease WHERE key = $1::text AND done`

// Finished: kept (a copy still waiting acknowledges it) until forgotten a day later.
const FINISH = 'UPDATE command_lease SET done = true, expires_at = now() WHERE key = $1::text AND holder = $2::uuid'
const RELEASE = 'DELETE FROM command_lease WHERE key = $1::text AND holder = $2::uuid'

// Leases a day past their expiry: finished commands, and handlings that died on a command's last delivery.
const FORGET_OLD = 'DELETE FROM command_lease WHERE expires_at < now() - interval \'1 day\''

// How many lease durations a holder may be without NATS before it lets its lease lapse: longer
// than a NATS restart (every holder is without NATS then, and keeps its commands).
const NATS_AWAY_LIMIT = 10

const TAKEN_OVER = takenOverBy(1)

/** Whether another handling of the command holds its lease, or finished it (retries ask: they need no claim). */
export async function leaseTakenOver (db: Db, claimant: { key: string, holder: string }): Promise<boolean> {
  const { rowCount } = await db.pool.query(TAKEN_OVER, [claimant.key, claimant.holder])
  return rowCount !== null && rowCount > 0
}

/** held: this handling's now; busy: another's, live; done: another handling finished the command. */
export type LeaseState = 'held' | 'busy' | 'done'

export interface LeaseTiming {
  /** How long a lease lasts without renewal: the command's ack wait (a dead holder's lease lapses as its command is redelivered). */
  durationMs: number
  /** How often the holder renews it (the heartbeat's period). */
  renewEveryMs: number
}

/**
 * The lease of one handling of a command (the run's claimant): taken before the run does anything
 * (a redelivery) or within its first second, renewed with the heartbeat, deleted at the end.
 */
export class CommandLease {
  private written = false
  private timer: NodeJS.Timeout | undefined
  private ended = false
  private renewal: Promise<unknown> | undefined

  constructor (private readonly db: Db, private readonly run: CommandRun, private readonly timing: LeaseTiming, private readonly log: Logger) {}

  /**
   * Before the run does anything: a redelivered copy, or one handed back, waits for the lease
   * (false: the dispatcher stopped first); renewals start. A first delivery writes its lease at the
   * first renewal, a second in at most (most single messages are done before).
   */
  async begin (): Promise<Exclude<LeaseState, 'busy'> | 'stopped'> {
    const every = this.timing.renewEveryMs
    if (this.run.delivery.firstDelivery) {
      this.keep(Math.min(1000, every))
      return 'held'
    }
    const state = await this.await(every)
    if (state === 'held') this.keep(every)
    return state
  }

  /** Takes or renews the lease. */
  async take (): Promise<LeaseState> {
    const { key, holder } = this.run.claimant
    this.written = true // a statement that committed with its answer lost still wrote it
    const { rows } = await this.db.pool.query<{ state: 'held' | 'done' }>(TAKE, [key, holder, this.timing.durationMs])
    return rows[0]?.state ?? 'busy'
  }

  /**
   * A redelivered copy: waits while another handling's lease is live (that holder is sending and
   * will finish the command, or will die and let the lease lapse). 'stopped' when the dispatcher
   * stops first. The command's heartbeat goes on meanwhile, so it is not handed out a third time.
   */
  private async await (pollMs: number): Promise<Exclude<LeaseState, 'busy'> | 'stopped'> {
    let logged = false
    for (;;) {
      if (this.run.stopping) return 'stopped'
      const state = await this.run.hold(() => this.take())
      if (state !== 'busy') return state
      if (!logged) this.log.info({ command: this.run.claimant.key, delivery: this.run.delivery.deliveryCount }, 'another dispatcher holds this command; waiting for it to finish or lapse')
      logged = true
      // The signal may have been aborted during the statement: its event is gone by then.
      if (this.run.stopping) return 'stopped'
      await new Promise<void>((resolve) => {
        const stop = () => { clearTimeout(timer); resolve() }
        const timer = setTimeout(() => { this.run.signal.removeEventListener('abort', stop); resolve() }, pollMs)
        this.run.signal.addEventListener('abort', stop, { once: true })
      })
    }
  }

  /** Renews the lease while the run goes on; the first renewal after `firstMs`. Finding it taken overtakes the run. */
  private keep (firstMs: number): void {
    let leftToLapse = false
    const renew = () => {
      // A holder that cannot reach NATS for long can publish nothing (it would hold its command
      // for ever while a copy that can waits): its lease is left to lapse, and that copy goes on.
      if (this.run.downForMs('nats') > NATS_AWAY_LIMIT * this.timing.durationMs) {
        if (!leftToLapse) this.log.warn({ command: this.run.claimant.key }, 'NATS unreachable for long: this command\'s lease is left to lapse')
        leftToLapse = true
        this.schedule(this.timing.renewEveryMs, renew)
        return
      }
      this.renewal = this.take().then((state) => {
        if (this.ended) return
        if (state === 'held') { this.schedule(this.timing.renewEveryMs, renew); return }
        this.log.warn({ command: this.run.claimant.key }, 'this command\'s lease was taken over by another dispatcher; stopping it here')
        this.run.overtake()
      }, (error: unknown) => {
        // The database is away: the next renewal tries again. Were the lease to lapse meanwhile,
        // the claims would tell (a claim is refused while another lease is live).
        this.log.debug({ err: error, command: this.run.claimant.key }, 'lease not renewed')
        if (!this.ended) this.schedule(this.timing.renewEveryMs, renew)
      })
    }
    this.schedule(firstMs, renew)
  }

  /**
   * The run is over: renewals stop, and the lease is marked done (the command is to be
   * acknowledged) or goes (given back, failed). Best effort: otherwise it lapses, and a copy then
   * handles it again. False when marking it done finds it another handling's: this one was taken
   * over without noticing (it had nothing left to claim, retry or renew) and must not acknowledge.
   */
  async end (finished: boolean): Promise<boolean> {
    this.ended = true
    clearTimeout(this.timer)
    // A renewal still on its way would write the lease again after the delete.
    await this.renewal
    if (!this.written) return true
    const { key, holder } = this.run.claimant
    const done = await this.db.pool.query(finished ? FINISH : RELEASE, [key, holder]).catch(() => null)
    return !finished || done === null || done.rowCount === 1
  }

  private schedule (ms: number, step: () => void): void {
    if (this.ended) return
    this.timer = setTimeout(step, ms)
    this.timer.unref()
  }
}

/** Deletes leases a day past their expiry (their handlings died on a command's last delivery). */
export async function forgetOldLeases (db: Db): Promise<void> {
  await db.pool.query(FORGET_OLD)
}
