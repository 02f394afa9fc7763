// The scale-out scenario as a Markdown section: the measured curve, where it flattens and why,
// and the projection for more cores (the model: scale-out-model.ts).
import { count, dispatchersLabel, fixed, perSecond } from './results.js'
import { whyFlat, type CurvePoint } from './scale-out-model.js'
import type { runScaleOut } from './scenarios/scale-out.js'

const us = (n: number) => String(Math.round(n))

export function scaleOutSection (scaleOut: Awaited<ReturnType<typeof runScaleOut>>, cores: number): string {
  const lines = [
    `## Scale-out (campaign of ${count(scaleOut.users)} users each)`,
    '',
    '| dispatchers | rate | cores busy: measured processes | whole machine | CPU µs per notification: api | dispatchers | PostgreSQL | NATS | Beacon in all | provider mocks |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...scaleOut.curve.map((p) => `| ${p.dispatchers} | ${perSecond(p.notificationsPerSecond)} | ${fixed(p.coresBusy)} of ${cores} | ${p.machineCoresBusy === undefined ? '–' : fixed(p.machineCoresBusy)} | ${us(p.microseconds.api)} | ${us(p.microseconds.dispatchers)} | ${us(p.microseconds.postgres)} | ${us(p.microseconds.nats)} | ${us(p.beaconMicroseconds)} | ${us(p.microseconds.mocks)} |`),
    ''
  ]
  const flat = scaleOut.curve.find((p) => p.dispatchers === scaleOut.flattensAfter)
  lines.push(flat === undefined ? 'Every step of dispatchers still added at least 10% of rate.' : flattened(flat, cores))
  const from = scaleOut.curve.find((p) => p.dispatchers === scaleOut.projectedFrom)!
  lines.push('',
    `Projection for N cores, providers elsewhere: rate(N) ≈ N × 1e6 ÷ ${us(from.beaconMicroseconds)} µs (Beacon's CPU per notification at ${dispatchersLabel(from.dispatchers)}, the cheapest point), ` +
    `bounded by the one api process (1e6 ÷ ${us(from.microseconds.api)} µs) and PostgreSQL held to one core (1e6 ÷ ${us(from.microseconds.postgres)} µs):`,
    '',
    '| cores | projected rate | limited by | dispatchers needed |',
    '| --- | --- | --- | --- |',
    ...scaleOut.projection.map((p) => `| ${p.cores} | ${perSecond(p.notificationsPerSecond)} | ${p.limitedBy} | ${p.dispatchersNeeded} |`))
  return lines.join('\n')
}

function flattened (flat: CurvePoint, cores: number): string {
  const where = `The curve flattens after ${dispatchersLabel(flat.dispatchers)} (the next step adds less than 10%)`
  const busy = `${fixed(flat.coresBusy)} of the ${cores} cores busy with the run's processes, ${flat.machineCoresBusy === undefined ? '?' : fixed(flat.machineCoresBusy)} with the whole machine's`
  switch (whyFlat(flat, cores)) {
    case 'cores': return `${where}: that run already kept ${busy}, so a further dispatcher shares the same CPU rather than adding its own.`
    case 'others': return `${where}, but the machine was full with processes not of this run (${busy}): the curve is disturbed, run it again on a quiet machine.`
    case 'not CPU': return `${where} with the cores not full (${busy}): waits, not CPU, bound it (a lock, a round trip, a queue's pace).`
  }
}
