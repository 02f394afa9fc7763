import { useCallback, useEffect, useState } from 'preact/hooks'
import { request } from '../api.ts'
import { detach, useInterval } from '../components/data.ts'
import { ErrorNote } from '../components/form.tsx'
import { TimeChart } from '../components/time-chart.tsx'

interface Reading {
  ready: boolean
  parts: Array<{ part: string, ready: boolean }>
  timestamp: string
  counters: Record<'notificationsSent' | 'notificationsFailed' | 'notificationsExpired' | 'httpRequests' | 'httpServerErrors' | 'callbacksSent' | 'callbacksGivenUp', number>
  gauges: { outboxDepth: number, campaignsRunning: number }
}

const EVERY_MS = 2000
const KEPT = 60 // the charts' two minutes of readings

interface Rates { times: number[], sent: number[], failed: number[], requests: number[], errorShare: number[] }
const none: Rates = { times: [], sent: [], failed: [], requests: [], errorShare: [] }

/** Rates between two readings of the api's counters; a restarted api (counters back to 0) gives no point. */
function nextRates (rates: Rates, before: Reading | undefined, now: Reading): Rates {
  if (before === undefined) return rates
  const seconds = (Date.parse(now.timestamp) - Date.parse(before.timestamp)) / 1000
  const delta = (key: keyof Reading['counters']) => now.counters[key] - before.counters[key]
  if (seconds <= 0 || delta('httpRequests') < 0) return rates
  const requests = delta('httpRequests')
  const keep = <T, >(list: T[], value: T) => [...list, value].slice(-KEPT)
  return {
    times: keep(rates.times, Date.parse(now.timestamp) / 1000),
    sent: keep(rates.sent, delta('notificationsSent') / seconds),
    failed: keep(rates.failed, (delta('notificationsFailed') + delta('notificationsExpired')) / seconds),
    requests: keep(rates.requests, requests / seconds),
    errorShare: keep(rates.errorShare, requests === 0 ? 0 : 100 * delta('httpServerErrors') / requests)
  }
}

/** Readiness of each part and throughput and error-rate charts, read every two seconds while the page is open. */
export function SystemPage (_props: { path: string }) {
  const [state, setState] = useState<{ reading?: Reading, rates: Rates, error: unknown }>({ rates: none, error: null })
  const read = useCallback(() => {
    detach(request<{ responseObject: Reading }>('GET', '/admin/console/system/status').then(
      ({ responseObject: now }) => setState((old) => ({ reading: now, rates: nextRates(old.rates, old.reading, now), error: null })),
      (error: unknown) => setState((old) => ({ ...old, error }))))
  }, [])
  useEffect(read, [read])
  useInterval(read, EVERY_MS)
  const { reading, rates, error } = state
  return (
    <>
      <ErrorNote error={error} />
      <section aria-labelledby='readiness'>
        <h2 id='readiness'>Readiness</h2>
        {reading === undefined
          ? <p aria-busy='true'>Reading…</p>
          : (
            <table>
              <thead><tr><th scope='col'>Part</th><th scope='col'>State</th></tr></thead>
              <tbody>
                {reading.parts.map(({ part, ready }) => (
                  <tr key={part}><td>{part}</td><td class={ready ? 'status-ok' : 'status-unavailable'}>{ready ? 'ready' : 'not answering'}</td></tr>
                ))}
                <tr><td>outbox (not yet published)</td><td>{reading.gauges.outboxDepth}</td></tr>
                <tr><td>campaigns running</td><td>{reading.gauges.campaignsRunning}</td></tr>
              </tbody>
            </table>
            )}
      </section>
      <section aria-labelledby='throughput'>
        <h2 id='throughput'>Throughput and errors</h2>
        <p class='muted'>This api instance's counters since it started, as rates between readings every {EVERY_MS / 1000} s.</p>
        {reading !== undefined && (
          <p>Since start: {reading.counters.notificationsSent} notifications sent, {reading.counters.notificationsFailed + reading.counters.notificationsExpired} failed or expired; {reading.counters.httpRequests} requests, {reading.counters.httpServerErrors} answered 5xx; {reading.counters.callbacksSent} callbacks delivered, {reading.counters.callbacksGivenUp} given up.</p>
        )}
        <TimeChart title='Notifications per second' unit='/s' times={rates.times} series={[{ label: 'sent', color: '#1a7f37', values: rates.sent }, { label: 'failed', color: '#b42318', values: rates.failed }]} />
        <TimeChart title='Requests per second and 5xx share' unit='' times={rates.times} series={[{ label: 'requests/s', color: '#1f5fbf', values: rates.requests }, { label: '5xx %', color: '#b42318', values: rates.errorShare }]} />
      </section>
    </>
  )
}
