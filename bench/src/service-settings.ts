// How the full run starts the services: as docker-compose.yml and deploy/kubernetes run them
// (test/service-settings.test.ts holds the three together).

/**
 * Heap caps: the services' live data is small, and without a cap V8 lets garbage grow to
 * ~400 MB before collecting.
 */
export const apiNodeArgs = ['--max-old-space-size=160']
export const dispatcherNodeArgs = ['--max-old-space-size=96']

/**
 * glibc's malloc thresholds for the api, fixed at their defaults (128 KiB). Left to themselves
 * they rise with the largest block freed, up to 32 MiB: the recorder's statements (a megabyte of
 * parameters per batch in a campaign) and V8's compiler then leave freed memory in the process,
 * never given back. With 1,000,000 users and 2 dispatchers the api's peak RSS was 269 MB without
 * them, 216 and 229 MB with them, for a few µs more of the api's CPU per notification (README, "Memory").
 */
export const apiEnv: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' }
