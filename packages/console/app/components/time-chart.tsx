import { useEffect, useRef } from 'preact/hooks'
// (uPlot's class, named with a capital as constructors are.)
import UPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

export interface TimeSeries {
  label: string
  color: string
  values: Array<number | null>
}

export interface TimeChartProps {
  title: string
  /** Unix seconds of each point. */
  times: number[]
  series: TimeSeries[]
  unit: string
  /** The span of time shown, ending at the last point (default two minutes). */
  windowSeconds?: number
  /** Decimals of the values written out (counts: 0). */
  decimals?: number
}

/**
 * A line chart over time (uPlot: small, canvas-drawn, no dependency), for the System page's rates
 * and a campaign's sent and failed devices. The figure is labelled for screen readers, and the
 * latest values are written out beside it, since a canvas says nothing by itself.
 */
export function TimeChart ({ title, times, series, unit, windowSeconds = 120, decimals = 1 }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null)
  const chart = useRef<UPlot | null>(null)
  // Read by the scale at each redraw: the window may grow (a campaign's span) without a new chart.
  const span = useRef(windowSeconds)
  span.current = windowSeconds
  const shape = series.map((entry) => entry.label).join('|')
  const written = (value: number | null | undefined) => value === null || value === undefined ? '—' : `${value.toFixed(decimals)} ${unit}`
  useEffect(() => {
    const element = box.current!
    chart.current = new UPlot({
      width: Math.max(320, element.clientWidth),
      height: 220,
      series: [{}, ...series.map((entry) => ({ label: entry.label, stroke: entry.color, width: 2, value: (_u: UPlot, v: number | null) => written(v) }))],
      axes: [{}, { size: 60 }],
      // A window ending at the last point, however few points there are yet (one point alone
      // would otherwise stretch the axis over years).
      scales: { x: { time: true, range: (_u: UPlot, _min: number, max: number) => [max - span.current, max] } },
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
  const latest = series.map((entry) => `${entry.label}: ${written(entry.values.at(-1))}`).join(', ')
  return (
    <figure class='chart' aria-label={title}>
      <figcaption>{title} <span class='muted'>(now: {latest})</span></figcaption>
      <div ref={box} />
    </figure>
  )
}
