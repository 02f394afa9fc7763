/**
 * How a dispatcher spends SHUTDOWN_TIMEOUT_MS: most of it finishing or giving back its commands,
 * then closing NATS, and the last 50 ms left to the hard exit (close-with-grace's deadline). Every
 * part fits inside the whole for any setting, down to the 100 ms minimum.
 */
export function shutdownBudget (timeoutMs: number): { stopMs: number, closeMs: number, exitAtMs: number } {
  const exitAtMs = timeoutMs - 50
  const stopMs = Math.max(0, Math.min(Math.floor(timeoutMs * 0.85), exitAtMs - 100))
  const closeMs = Math.max(0, exitAtMs - stopMs - 50)
  return { stopMs, closeMs, exitAtMs }
}
