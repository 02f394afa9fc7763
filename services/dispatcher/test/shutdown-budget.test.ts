import t from 'tap'
import { shutdownBudget } from '../src/shutdown-budget.js'

t.test('the stop and the close fit before the hard exit for every SHUTDOWN_TIMEOUT_MS', async (t) => {
  let misfits = 0
  for (let timeoutMs = 100; timeoutMs <= 600_000; timeoutMs += timeoutMs < 2000 ? 1 : 997) {
    const { stopMs, closeMs, exitAtMs } = shutdownBudget(timeoutMs)
    if (stopMs < 0 || closeMs < 0 || stopMs + closeMs > exitAtMs || exitAtMs >= timeoutMs) misfits++
  }
  t.equal(misfits, 0)
  t.same(shutdownBudget(8000), { stopMs: 6800, closeMs: 1100, exitAtMs: 7950 }, 'the default: 85% for the commands')
  t.same(shutdownBudget(100), { stopMs: 0, closeMs: 0, exitAtMs: 50 }, 'the least: commands given back at once')
})
