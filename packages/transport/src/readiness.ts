import { TransportError, TransportErrorCode } from './errors.js'
import type { Transport } from './transport.js'

const streamMissing = (error: unknown) => error instanceof TransportError && error.code === TransportErrorCode.STREAM_MISSING

/**
 * The broker's two parts of a readiness probe (the shape of @beacon/metrics' ReadinessCheck):
 * `nats` fails when the broker is not reached, `streams` when a work-queue stream is missing. Both
 * come from one checkReady per probe, shared by the api and the dispatcher.
 */
export function brokerReadiness (transport: Pick<Transport, 'checkReady'>): Array<{ part: 'nats' | 'streams', check: () => Promise<void> }> {
  let asking: Promise<void> | undefined
  const brokerReady = () => (asking ??= transport.checkReady().finally(() => { asking = undefined }))
  return [
    { part: 'nats', check: () => brokerReady().catch((error: unknown) => { if (!streamMissing(error)) throw error }) },
    { part: 'streams', check: () => brokerReady().catch((error: unknown) => { if (streamMissing(error)) throw error }) }
  ]
}
