// What one run measured, scenario by scenario (absent: not run), and the formatting the tables share.
import type { Measured } from './goals.js'
import type { runCeiling } from './scenarios/ceiling.js'
import type { runPeer } from './scenarios/peer.js'
import type { runRegistration } from './scenarios/registration.js'
import type { runScaleOut, CampaignResult } from './scenarios/scale-out.js'
import type { runSenders } from './scenarios/senders.js'
import type { runSignedRequests } from './scenarios/signed-requests.js'
import type { runSingleMessages } from './scenarios/single-messages.js'

/** The scenarios goals 1 and 2 compare, run one after the other: a round. */
export interface Round {
  peer?: Awaited<ReturnType<typeof runPeer>> | undefined
  senders?: Awaited<ReturnType<typeof runSenders>> | undefined
  campaigns: CampaignResult[]
}

export interface RunResults extends Round {
  ceiling?: Awaited<ReturnType<typeof runCeiling>> | undefined
  /** Every round, in order; the last is also the run's own peer, senders and campaigns (those the scenario table and the scale-out show). */
  rounds?: Round[] | undefined
  large?: CampaignResult | undefined
  single?: Awaited<ReturnType<typeof runSingleMessages>> | undefined
  registration?: Awaited<ReturnType<typeof runRegistration>> | undefined
  signed?: Awaited<ReturnType<typeof runSignedRequests>> | undefined
  scaleOut?: Awaited<ReturnType<typeof runScaleOut>> | undefined
}

/** A provider-only scenario (peer, senders alone) as the goals take it. */
export const providerMeasured = (run: { notifications: number, notificationsPerSecond: number, cpuSeconds: Record<string, number> }): Measured =>
  ({ count: run.notifications, perSecond: run.notificationsPerSecond, cpuSeconds: run.cpuSeconds })

export const campaignMeasured = (run: CampaignResult): Measured =>
  ({ count: run.users, perSecond: run.notificationsPerSecond, cpuSeconds: run.cpuSeconds })

export const perSecond = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`
export const count = (n: number) => n.toLocaleString('en-US')
export const microseconds = (n: number) => `${Math.round(n)} µs`
export const fixed = (n: number, digits = 2) => n.toFixed(digits)
export const dispatchersLabel = (n: number) => `${n} dispatcher${n === 1 ? '' : 's'}`
export const rss = (peaks: Record<string, number>) => Object.entries(peaks).map(([name, mb]) => `${name} ${mb} MB`).join(', ')
/** Each process's µs per notification, e.g. "api 19, dispatcher1 190, postgres 59". */
export const split = (figures: Record<string, number>, digits = 0) => Object.entries(figures).map(([name, n]) => `${name} ${n.toFixed(digits)}`).join(', ')
/** "; host steal 0.4%" after a figure (cpu-usage.ts), or nothing for a run from before it was measured. */
export const steal = (percent: number | undefined) => (percent === undefined ? '' : `; host steal ${percent}%`)
