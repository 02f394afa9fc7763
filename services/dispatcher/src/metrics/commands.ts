import type { Command } from '@beacon/contracts'
import { counter, gauge } from '@beacon/metrics'

/**
 * How one delivery of a command ended here: `done` (acknowledged: sent, or finished by another
 * holder), `given_back` (back to the queue: stopping, or a failure to retry), `overtaken` (left to
 * another dispatcher that holds it now), `abandoned` (failed on its last delivery: ended as FAILED).
 */
export type CommandOutcome = 'done' | 'given_back' | 'overtaken' | 'abandoned'
const OUTCOMES: readonly CommandOutcome[] = ['done', 'given_back', 'overtaken', 'abandoned']

type Kind = Command['kind']
const KIND_LABEL: Record<Kind, string> = { message: 'message', 'campaign-chunk': 'campaign_chunk' }

const inHand = gauge({
  name: 'beacon_commands_in_hand',
  help: 'Commands this process is handling now, by kind (message, campaign_chunk)',
  labelNames: ['kind'] as const
})
const ended = counter({
  name: 'beacon_commands_total',
  help: 'Command deliveries handled, by kind and outcome (done, given_back, overtaken, abandoned)',
  labelNames: ['kind', 'outcome'] as const
})

const bound = (kind: Kind) => ({
  inHand: inHand.labels(KIND_LABEL[kind]),
  ended: Object.fromEntries(OUTCOMES.map((outcome) => [outcome, ended.labels(KIND_LABEL[kind], outcome)])) as Record<CommandOutcome, ReturnType<typeof ended.labels>>
})
const byKind: Record<Kind, ReturnType<typeof bound>> = { message: bound('message'), 'campaign-chunk': bound('campaign-chunk') }

/** A command taken in hand; `end` with its outcome once it left. */
export function commandTaken (kind: Kind): { end (outcome: CommandOutcome): void } {
  const metrics = byKind[kind]
  metrics.inHand.inc()
  let ended = false
  return {
    end (outcome) {
      if (ended) return
      ended = true
      metrics.inHand.dec()
      metrics.ended[outcome].inc()
    }
  }
}
