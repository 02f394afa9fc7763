import { Agent, buildConnector } from 'undici'
import { guardedLookup, literalRefusal, type GuardOptions } from './guarded-lookup.js'

export interface GuardedDispatcherOptions extends GuardOptions {
  /** TLS and socket options of every connection (e.g. `ca`, `timeout`), as undici's `connect`. */
  connect?: Omit<buildConnector.BuildOptions, 'lookup' | 'socketPath'>
  /** The rest of undici's Agent options (keep-alive timeouts, connections per origin, …). */
  agent?: Omit<Agent.Options, 'connect'>
}

/**
 * An undici Agent whose every connection goes through the guard: host names resolve through
 * guardedLookup, and IP literals (which net connects to without a lookup) are checked before the
 * connector runs. Pass it as `dispatcher` to undici's fetch or request; close it when done.
 */
export function createGuardedDispatcher (options: GuardedDispatcherOptions = {}): Agent {
  // A socketPath would connect without any lookup: none may be given (the type says so too).
  const connect = buildConnector({ ...options.connect, socketPath: null, lookup: guardedLookup(options) } as buildConnector.BuildOptions)
  return new Agent({
    ...options.agent,
    connect (connectOptions, callback) {
      const refusal = literalRefusal(connectOptions.hostname, options)
      if (refusal !== null) return callback(refusal, null)
      connect(connectOptions, callback)
    }
  })
}
