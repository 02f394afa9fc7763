export { LATENCY_BUCKETS, counter, gauge, histogram, registry, scrape, startProcessMetrics } from './registry.js'
export { readinessAnswer, type Readiness, type ReadinessCheck } from './readiness.js'
export { createReadinessProbe, type ReadinessLog, type ReadinessProbe, type ReadinessProbeOptions } from './readiness-probe.js'
export { startOpsServer, type OpsServer, type OpsServerOptions } from './ops-server.js'
