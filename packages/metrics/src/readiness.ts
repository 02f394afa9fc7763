/**
 * One part a service needs to do its work (PostgreSQL, NATS, the JetStream streams): `check`
 * resolves when the part answers and rejects (or times out) when it does not.
 */
export interface ReadinessCheck {
  /** Named in a 503, and nothing else about the failure: the probe is unauthenticated. */
  part: string
  check: () => Promise<unknown>
}

export interface Readiness {
  ready: boolean
  /** The parts that did not answer, in the order of the checks. */
  failing: string[]
}

/** The body of /readyz: `{"status":"ok"}`, or `{"status":"unavailable","failing":[…]}` with a 503. */
export function readinessAnswer ({ ready, failing }: Readiness): { statusCode: 200 | 503, body: { status: 'ok' } | { status: 'unavailable', failing: string[] } } {
  return ready ? { statusCode: 200, body: { status: 'ok' } } : { statusCode: 503, body: { status: 'unavailable', failing } }
}
