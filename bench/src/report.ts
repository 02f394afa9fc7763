import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const resultsFolder = join(dirname(fileURLToPath(import.meta.url)), '..', 'results')

export interface Row { scenario: string, figure: string, target?: string, met?: boolean }
/** One of issue 16's goals as this run measured it. */
export interface GoalRow { goal: string, measured: string, target: string, met?: boolean | undefined }

const mark = (met: boolean | undefined) => met === undefined ? '' : met ? 'met' : '**not met**'

export interface Tables { figures: Row[], goals: GoalRow[], sections: string[], /** Lines under the heading (the host's steal). */ preamble?: string[] }

/** The run as Markdown: issue 16's goals as this run measured them, every scenario's figures, then sections (the scale-out curve). */
export function markdown (date: string, cores: number, mode: string, { figures, goals, sections, preamble = [] }: Tables): string {
  const lines = [
    `# Benchmark run ${date}`,
    '',
    `${cores} cores, ${mode}; everything on this machine (PostgreSQL, NATS, the services, the provider mocks of the test kit).`,
    '',
    ...preamble.flatMap((line) => [line, ''])
  ]
  if (goals.length > 0) {
    lines.push("## Issue 16's goals (ratios within this run)", '', '| goal | measured | target | |', '| --- | --- | --- | --- |',
      ...goals.map((row) => `| ${row.goal} | ${row.measured} | ${row.target} | ${mark(row.met)} |`), '')
  }
  if (figures.length > 0) {
    lines.push('## Scenarios', '', '| scenario | figure | target | |', '| --- | --- | --- | --- |',
      ...figures.map((row) => `| ${row.scenario} | ${row.figure} | ${row.target ?? ''} | ${mark(row.met)} |`), '')
  }
  for (const section of sections) lines.push(section, '')
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
