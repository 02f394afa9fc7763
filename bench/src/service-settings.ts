// How the full run starts the services, as docker-compose.yml and deploy/kubernetes run them (the
// registration scenario excepted: it runs the api from source with defaults, beside a bare route).
// test/service-settings.test.ts holds the three together.

/**
 * Heap caps: the services' live data is small, and without a cap V8 lets garbage pile up (a
 * dispatcher without one peaked at 281-288 MB RSS in a 100,000-user campaign).
 */
export const apiNodeArgs = ['--max-old-space-size=160']
/**
 * Under a cap this small V8 lets the old generation grow at most 1.3 times its live data before
 * the next full collection (its growing factor rises with the heap's limit: 4 under Node's default
 * limit of ~4 GB here): the dispatcher's promoted garbage brought one often.
 * --heap-growing-percent=300 sets the factor to 4; the cap still bounds each next limit, at most
 * halfway between the live data and the cap, so the cap's size counts too: 192 MB spent ~9% less
 * dispatcher CPU than 128 for ~33 MB more RSS (README, "Memory").
 */
export const dispatcherNodeArgs = ['--max-old-space-size=192', '--heap-growing-percent=300']

/**
 * glibc's malloc thresholds for the api, fixed at their defaults (128 KiB): left to themselves they
 * rise with the largest block freed, and the api then keeps freed memory (README, "Memory").
 */
export const apiEnv: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' }
