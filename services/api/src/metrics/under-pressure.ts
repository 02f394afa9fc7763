import { counter } from '@beacon/metrics'

const rejections = counter({
  name: 'beacon_under_pressure_rejections_total',
  help: 'Requests the api shed with 503 because its event loop lagged past MAX_EVENT_LOOP_DELAY_MS'
})

export function countShedRequest (): void {
  rejections.inc()
}
