// How the full run starts the services, as docker-compose.yml and deploy/kubernetes run them (the
// registration scenario excepted: it runs the api from source with defaults, beside a bare route).
// test/service-settings.test.ts holds the three together.

/**
 * Heap caps: the services' live data is small, and without a cap V8 lets garbage grow to
 * ~400 MB before collecting.
 */
export const apiNodeArgs = ['--max-old-space-size=160']
export const dispatcherNodeArgs = ['--max-old-space-size=96']

/**
 * glibc's malloc thresholds for the api, fixed at their defaults (128 KiB): left to themselves they
 * rise with the largest block freed, and the api then keeps freed memory (README, "Memory").
 */
export const apiEnv: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' }
