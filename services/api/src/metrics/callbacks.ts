import { counter } from '@beacon/metrics'

export type CallbackOutcome = 'sent' | 'retried' | 'given_up' | 'put_off'

const callbacks = counter<'outcome'>({
  name: 'beacon_callbacks_total',
  help: 'Callback attempts to developers\' servers by what came of them: sent (2xx), retried (failed, tried again later), given_up (failed, the last attempt), put_off (not attempted: its developer held its share of the senders; queued again for later)',
  labelNames: ['outcome']
})

export function countCallback (outcome: CallbackOutcome): void {
  callbacks.inc({ outcome })
}
