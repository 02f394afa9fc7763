import { useEffect, useState } from 'preact/hooks'
import { TimeChart } from '../../components/time-chart.tsx'
import { count, type CampaignProgress } from './types.ts'

/** Each reading's time (Unix seconds), then devices sent and failed by then. */
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
  const [since] = useState(() => Date.now() / 1000)
  useEffect(() => {
    const at = Date.now() / 1000
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
      <TimeChart
        title='Devices sent and failed over time' unit='devices' decimals={0}
        // The whole send so far, from when the page started watching.
        windowSeconds={Math.max(30, (series[0].at(-1) ?? since) - since)}
        times={series[0]} series={[{ label: 'sent', color: '#1a7f37', values: series[1] }, { label: 'failed', color: '#b42318', values: series[2] }]}
      />
    </div>
  )
}
