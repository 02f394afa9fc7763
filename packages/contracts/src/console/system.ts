import { Type, type Static } from 'typebox'
import { OkObjectResponse } from '../http/envelope.js'

/** One part the api needs, as its /readyz checks it. */
export const SystemPart = Type.Object({
  part: Type.String({ description: 'database, nats or streams' }),
  ready: Type.Boolean()
})

/**
 * `GET /admin/console/system/status`: the console's System page. Readiness of each part, and the
 * api instance's own counters since it started (its Prometheus metrics, read in the process), from
 * which the page draws rates between two reads. Behind a load balancer each read is one instance's.
 */
export const SystemStatus = Type.Object({
  ready: Type.Boolean(),
  parts: Type.Array(SystemPart),
  /** When the counters were read (ISO 8601): the page divides their differences by its differences. */
  timestamp: Type.String(),
  counters: Type.Object({
    /** Device outcomes recorded (beacon_results_recorded_total): sent, failed, expired. */
    notificationsSent: Type.Number(),
    notificationsFailed: Type.Number(),
    notificationsExpired: Type.Number(),
    /** Requests answered (beacon_http_request_duration_seconds_count), and those answered 5xx. */
    httpRequests: Type.Number(),
    httpServerErrors: Type.Number(),
    /** Callback attempts (beacon_callbacks_total): accepted, and given up. */
    callbacksSent: Type.Number(),
    callbacksGivenUp: Type.Number()
  }),
  gauges: Type.Object({
    /** Commands and callbacks not yet published to NATS (the database's: every instance sees the same). */
    outboxDepth: Type.Number(),
    campaignsRunning: Type.Number()
  })
})
export type SystemStatus = Static<typeof SystemStatus>

export const SystemStatusResponse = OkObjectResponse(SystemStatus)
export type SystemStatusResponse = Static<typeof SystemStatusResponse>
