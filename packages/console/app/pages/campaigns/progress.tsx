import { useEffect, useRef, useState } from 'preact/hooks'
// (uPlot's class, named with a capital as constructors are.)
import UPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { count, type CampaignProgress } from './types.ts'

/** Seconds since the first reading, then devices sent and failed at that time. */
type Series = [number[], number[], number[]]

/**
 * The live send's progress: a bar of users whose chunk is done over all the campaign's users (it
 * reaches the end exactly when the campaign completes, never ahead of what was sent), and a chart
 * of devices sent and failed, one point per reading.
 */
export function SendProgress ({ progress }: { progress: CampaignProgress }) {
  const { users, usersDone, devicesSent, devicesFailed, devicesPending } = progress
  const complete = progress.timestampCompleted !== null
  // A campaign without users is complete at once: a full bar, not an empty 0 of 0.
  const max = Math.max(users, 1)
  const value = users === 0 ? (complete ? 1 : 0) : usersDone
  const percent = Math.floor((value / max) * 100)
  const [series, setSeries] = useState<Series>([[], [], []])
  const [since] = useState(() => Date.now())
  useEffect(() => {
    const at = Math.round((Date.now() - since) / 100) / 10
    setSeries(([times, sent, failed]) => [[...times, at], [...sent, devicesSent], [...failed, devicesFailed]])
  }, [progress])
  return (
    <div class='campaign-progress'>
      <label for='campaign-progress-bar'>Sending progress</label>
      <progress id='campaign-progress-bar' max={max} value={value} aria-describedby='campaign-progress-text'>{percent}%</progress>
      <p id='campaign-progress-text' class='campaign-progress-text'>
        {count(usersDone)} of {count(users)} users ({percent}%){complete ? ' — complete' : ' — sending…'}
      </p>
      <p class='muted'>
        Devices: {count(devicesSent)} sent, {count(devicesFailed)} failed{devicesPending > 0 ? `, ${count(devicesPending)} being sent` : ''}
        {' '}· chunks {count(progress.chunksDone)} of {count(progress.chunks)} done
      </p>
      {progress.failedChunks.length > 0 && (
        <p class='error' role='alert'>
          {progress.failedChunks.length} chunk(s) failed as a whole, their unreached users got nothing:{' '}
          {progress.failedChunks.map((c) => `chunk ${c.chunk} (${c.reason})`).join(', ')}
        </p>
      )}
      <SentChart series={series} />
    </div>
  )
}

/** uPlot's canvas, made once and given each new reading. */
function SentChart ({ series }: { series: Series }) {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<UPlot | null>(null)
  useEffect(() => {
    const element = box.current!
    plot.current = new UPlot({
      width: Math.max(element.clientWidth, 320),
      height: 220,
      // Elapsed seconds read better than clock times a second apart; no live legend values, the text above has them.
      scales: { x: { time: false } },
      legend: { live: false },
      axes: [{ label: 'seconds since the page started watching' }, { label: 'devices' }],
      series: [
        {},
        { label: 'Sent', stroke: '#1a7f37', width: 2, fill: 'rgba(26,127,55,.08)' },
        { label: 'Failed', stroke: '#b42318', width: 2 }
      ]
    }, series, element)
    const resize = () => { plot.current?.setSize({ width: Math.max(element.clientWidth, 320), height: 220 }) }
    addEventListener('resize', resize)
    return () => { removeEventListener('resize', resize); plot.current?.destroy(); plot.current = null }
  }, [])
  useEffect(() => { plot.current?.setData(series) }, [series])
  return (
    <figure class='chart campaign-chart' aria-labelledby='campaign-chart-caption'>
      <figcaption id='campaign-chart-caption'>Devices sent and failed over time</figcaption>
      <div ref={box} />
    </figure>
  )
}
