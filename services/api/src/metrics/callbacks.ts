import { counter } from '@beacon/metrics'

export type CallbackOutcome = 'sent' | 'retried' | 'given_up'

const callbacks = counter<'outcome'>({
  name: 'beacon_callbacks_total',
  help: 'Callback attempts to developers\' servers by what came of them: sent (2xx), retried (failed, tried again later), given_up (failed, the last attempt)',
  labelNames: ['outcome']
})

export function countCallback (outcome: CallbackOutcome): void {
  callbacks.inc({ outcome })
}
