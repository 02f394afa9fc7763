import { useEffect, useRef } from 'preact/hooks'
import UPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface TimeSeries {
  label: string
  color: string
  values: Array<number | null>
}

/**
 * A line chart over time (uPlot: small, canvas-drawn, no dependency). `times` are Unix seconds.
 * The figure is labelled for screen readers, and the latest values are written out beside it,
 * since a canvas says nothing by itself.
 */
export function TimeChart ({ title, times, series, unit, windowSeconds = 120 }: { title: string, times: number[], series: TimeSeries[], unit: string, windowSeconds?: number }) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<UPlot | null>(null)
  const shape = series.map((entry) => entry.label).join('|')
  useEffect(() => {
    const element = box.current!
    chart.current = new UPlot({
      width: Math.max(320, element.clientWidth),
      height: 220,
      series: [{}, ...series.map((entry) => ({ label: entry.label, stroke: entry.color, width: 2, value: (_u: UPlot, v: number | null) => v === null ? '—' : `${v.toFixed(1)} ${unit}` }))],
      axes: [{}, { size: 60 }],
      // A window of the last `windowSeconds`, however few points there are yet (one point alone
      // would otherwise stretch the axis over years).
      scales: { x: { time: true, range: (_u: UPlot, _min: number, max: number) => [max - windowSeconds, max] } },
      legend: { live: false }
    }, [times, ...series.map((entry) => entry.values)], element)
    const resize = new ResizeObserver(() => chart.current?.setSize({ width: Math.max(320, element.clientWidth), height: 220 }))
    resize.observe(element)
    return () => {
      resize.disconnect()
      chart.current?.destroy()
      chart.current = null
    }
  }, [shape])
  useEffect(() => {
    chart.current?.setData([times, ...series.map((entry) => entry.values)])
  }, [times, series])
  const latest = series.map((entry) => `${entry.label}: ${entry.values.at(-1)?.toFixed(1) ?? '—'} ${unit}`).join(', ')
  return (
    <figure class='chart' role='group' aria-label={title}>
      <figcaption>{title} <span class='muted'>(now: {latest})</span></figcaption>
      <div ref={box} />
    </figure>
  )
}
