import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const resultsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', 'results')

export interface Row { scenario: string, figure: string, target?: string, met?: boolean }

const mark = (met: boolean | undefined) => met === undefined ? '' : met ? 'met' : '**not met**'

/** The run as Markdown: one table of figures beside the targets. */
export function markdown (date: string, cores: number, mode: string, rows: Row[]): string {
  const lines = [
    `# Benchmark run ${date}`,
    '',
    `${cores} cores, ${mode}; everything on this machine (PostgreSQL, NATS, the services, the provider mocks of the test kit).`,
    '',
    '| scenario | figure | target | |',
    '| --- | --- | --- | --- |',
    ...rows.map((row) => `| ${row.scenario} | ${row.figure} | ${row.target ?? ''} | ${mark(row.met)} |`),
    ''
  ]
  return lines.join('\n')
}

/** Writes `run-<date>.json` and `run-<date>.md`, and the Markdown again as `latest.md`. */
export async function writeRun (date: string, json: unknown, md: string): Promise<string> {
  await mkdir(resultsFolder, { recursive: true })
  const stem = join(resultsFolder, `run-${date.replace(/[:.]/g, '-')}`)
  await writeFile(`${stem}.json`, `${JSON.stringify(json, null, 2)}\n`)
  await writeFile(`${stem}.md`, md)
  await writeFile(join(resultsFolder, 'latest.md'), md)
  return stem
}
