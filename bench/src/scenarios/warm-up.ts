/**
 * The notifications that warm a scenario's processes up before its scored run, unscored: the JIT's
 * optimised code, provider connections, the FCM token and APNs JWT, the database's prepared
 * statements and caches. A twentieth of the scored run, 2,000 to 20,000: the peer and the senders
 * alone get one such pass, a campaign one per dispatcher (campaignWarmupUsers; the peer's trials of
 * its settings come on top).
 * Without it a campaign's dispatcher spent a tenth of its CPU compiling (README, "Benchmarks"),
 * which a dispatcher in service has long done, while the peer it is compared with had been warmed.
 */
export const warmupCount = (notifications: number): number => Math.min(Math.max(Math.round(notifications / 20), 2000), 20_000)

/**
 * A campaign's warm-up: a twentieth of the run per dispatcher (chunks go to whichever dispatcher
 * pulls first, so each gets about one such pass), at most the campaign's users.
 */
export const campaignWarmupUsers = (users: number, dispatchers: number): number => Math.min(users, warmupCount(users) * dispatchers)
