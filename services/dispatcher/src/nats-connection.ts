import { createNatsTransport, type Transport } from '@beacon/transport'
import type { DispatcherConfig } from './config.js'

/**
 * The dispatcher's connection to NATS as its settings ask (NATS_URL, NATS_PREFIX,
 * NATS_PING_INTERVAL_MS). server.ts connects through it, and so do the tests' dispatchers: what
 * they check is what runs.
 */
export async function connectNats (config: DispatcherConfig, name: string, onError?: (error: unknown) => void): Promise<Transport> {
  return await createNatsTransport({
    servers: config.nats.url,
    prefix: config.nats.prefix,
    pingIntervalMs: config.nats.pingIntervalMs,
    name,
    ...(onError === undefined ? {} : { onError })
  })
}
