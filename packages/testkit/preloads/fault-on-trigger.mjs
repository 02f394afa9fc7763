// Preloaded (`node --import`) into a spawned service by the uncaught-error tests, so that the
// service's own code carries no test hook. Once the file BEACON_TEST_FAULT_TRIGGER names exists
// (the test creates it when the service is running), it throws an exception nobody catches, or
// with BEACON_TEST_FAULT=rejection rejects a promise nobody handles: a bug in a timer callback.
import { existsSync } from 'node:fs'

const trigger = process.env.BEACON_TEST_FAULT_TRIGGER
if (trigger !== undefined && trigger !== '') {
  const poll = setInterval(() => {
    if (!existsSync(trigger)) return
    clearInterval(poll)
    if (process.env.BEACON_TEST_FAULT === 'rejection') {
      Promise.reject(new Error('fault from the test preload: a rejection nobody handles'))
      return
    }
    throw new Error('fault from the test preload: an uncaught exception')
  }, 20)
  // It must not keep a service alive that would otherwise exit.
  poll.unref()
}
